"""The ``tfx`` console script (a Typer app)."""
import typer

from tfx._version import __version__

app = typer.Typer(
    name="tfx",
    help="Build, train and evaluate models from YAML specs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool):
    if value:
        typer.echo(f"tfx {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version_callback,
                                       is_eager=True, help="Print the version and exit.")):
    """tfx: a deep-learning framework with TensorFlow's API, and a YAML model builder."""


@app.command()
def info():
    """Show the tfx version, the backends and the devices it sees."""
    import tfx
    typer.echo(f"tfx {__version__}")
    for d in tfx.config.list_physical_devices():
        typer.echo(f"  {d.device_type}: {d.name}")


def main():
    app()


if __name__ == "__main__":
    main()
