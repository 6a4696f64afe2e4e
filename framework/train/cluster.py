"""``tfx.train.ClusterSpec``: the jobs and task addresses of a cluster (``tf.train.ClusterSpec``),
with ``ClusterDef``/``JobDef`` as plain objects in place of TensorFlow's protocol buffers.

tfx runs in one process, so a ClusterSpec only describes a cluster (as TF_CONFIG-style
configuration, for code that reads it); nothing connects to the addresses.
"""
__all__ = ["ClusterSpec", "ClusterDef", "JobDef", "ServerDef"]


class JobDef:
    """One job: its ``name`` and ``tasks`` ({task index: address})."""

    def __init__(self, name="", tasks=None):
        self.name = name
        self.tasks = dict(tasks or {})

    def __eq__(self, other):
        return isinstance(other, JobDef) and (self.name, self.tasks) == (other.name, other.tasks)

    def __repr__(self):
        return f"JobDef(name={self.name!r}, tasks={self.tasks!r})"


class ClusterDef:
    """The jobs of a cluster (``job``: a list of JobDef sorted by name), printed in the
    protocol buffer text format TensorFlow prints."""

    def __init__(self, job=None):
        self.job = list(job or [])

    def __eq__(self, other):
        return isinstance(other, ClusterDef) and self.job == other.job

    def __str__(self):
        lines = []
        for j in self.job:
            lines += ["job {", f'  name: "{j.name}"']
            for k in sorted(j.tasks):
                lines += ["  tasks {", f"    key: {k}", f'    value: "{j.tasks[k]}"', "  }"]
            lines.append("}")
        return "\n".join(lines) + ("\n" if lines else "")

    __repr__ = __str__


class ServerDef:
    """One server of a cluster: the ``cluster`` (a ClusterDef), its ``job_name``,
    ``task_index`` and ``protocol``; printed in protocol buffer text format as TensorFlow
    prints it."""

    def __init__(self, cluster=None, job_name="", task_index=0, protocol="",
                 default_session_config=None, port=0):
        self.cluster = cluster if cluster is not None else ClusterDef()
        self.job_name, self.task_index, self.protocol = job_name, int(task_index), protocol
        self.default_session_config, self.port = default_session_config, int(port)

    def __eq__(self, other):
        return isinstance(other, ServerDef) and (
            self.cluster, self.job_name, self.task_index, self.protocol, self.port) == (
            other.cluster, other.job_name, other.task_index, other.protocol, other.port)

    def __str__(self):
        lines = []
        if self.cluster.job:
            lines += ["cluster {"] + ["  " + ln for ln in str(self.cluster).splitlines()] + \
                ["}"]
        if self.job_name:
            lines.append(f'job_name: "{self.job_name}"')
        if self.task_index:
            lines.append(f"task_index: {self.task_index}")
        if self.protocol:
            lines.append(f'protocol: "{self.protocol}"')
        if self.port:
            lines.append(f"port: {self.port}")
        return "\n".join(lines) + ("\n" if lines else "")

    __repr__ = __str__


def _address(addr):
    if isinstance(addr, bytes):
        return addr.decode("utf-8")
    if not isinstance(addr, str):
        raise TypeError(f"Task address {addr!r} must be bytes or unicode")
    return addr


class ClusterSpec:
    """A cluster as ``{job name: [address, ...]}`` (task i at position i) or ``{job name:
    {task index: address}}`` (sparse indices), another ClusterSpec, or a ClusterDef."""

    def __init__(self, cluster):
        if isinstance(cluster, ClusterSpec):
            self._spec = {j: dict(t) for j, t in cluster._spec.items()}
        elif isinstance(cluster, ClusterDef):
            self._spec = {j.name: {int(k): _address(v) for k, v in j.tasks.items()}
                          for j in cluster.job}
        elif isinstance(cluster, dict):
            self._spec = {}
            for job, tasks in cluster.items():
                if isinstance(tasks, (list, tuple)):
                    self._spec[job] = {i: _address(a) for i, a in enumerate(tasks)}
                elif isinstance(tasks, dict):
                    self._spec[job] = {int(i): _address(a) for i, a in tasks.items()}
                else:
                    raise TypeError(f"The tasks for job {job!r} must be a list or a "
                                    f"dictionary from integers to strings.")
        else:
            raise TypeError("`cluster` must be a dictionary mapping one or more job names to "
                            "lists of network addresses, or a `ClusterDef` protocol buffer")
        # A job given as a list is dense (indices 0..n-1); as_dict gives it back as a list.
        self._dense = {j for j, t in self._spec.items() if list(t) == list(range(len(t)))}

    def __bool__(self):
        return bool(self._spec)

    def __eq__(self, other):
        return isinstance(other, ClusterSpec) and self._spec == other._spec

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(str(self.as_cluster_def()))

    def __repr__(self):
        body = ", ".join(f"{j!r}: {self._job_value(j)!r}" for j in sorted(self._spec))
        return f"ClusterSpec({{{body}}})"

    def _job_value(self, job):
        tasks = self._spec[job]
        return [tasks[i] for i in sorted(tasks)] if job in self._dense else dict(tasks)

    def as_dict(self):
        """``{job: [addresses]}``, or ``{job: {index: address}}`` for a job whose indices are
        not 0..n-1."""
        return {j: self._job_value(j) for j in self._spec}

    def as_cluster_def(self):
        return ClusterDef([JobDef(j, self._spec[j]) for j in sorted(self._spec)])

    @property
    def jobs(self):
        """The job names."""
        return list(self._spec)

    def _tasks(self, job_name):
        try:
            return self._spec[job_name]
        except KeyError:
            raise ValueError(f"No such job in cluster: {job_name!r}") from None

    def num_tasks(self, job_name):
        return len(self._tasks(job_name))

    def task_indices(self, job_name):
        return sorted(self._tasks(job_name))

    def task_address(self, job_name, task_index):
        tasks = self._tasks(job_name)
        try:
            return tasks[task_index]
        except KeyError:
            raise ValueError(f"No task with index {task_index} in job {job_name!r}") from None

    def job_tasks(self, job_name):
        """Addresses by task index, None where a sparse job has no task."""
        tasks = self._tasks(job_name)
        out = [None] * (max(tasks) + 1 if tasks else 0)
        for i, a in tasks.items():
            out[i] = a
        return out
