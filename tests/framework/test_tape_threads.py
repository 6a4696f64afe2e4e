"""Tapes belong to their thread, as in TensorFlow."""
import threading

import tfx


def test_ops_in_another_thread_do_not_land_on_this_threads_tape():
    x = tfx.Variable(2.0)
    other = {}

    def worker():
        other["y"] = x * 10.0  # runs while the main thread's tape is recording

    with tfx.GradientTape() as tape:
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        y = x * 3.0
    assert float(tape.gradient(y, x)) == 3.0
    assert len(tape._nodes) == 2  # this thread's read of x and its multiply only
    assert float(other["y"]) == 20.0


def test_each_thread_can_have_its_own_tape():
    results = {}

    def worker(k):
        v = tfx.Variable(float(k))
        with tfx.GradientTape() as tape:
            y = v * v
        results[k] = float(tape.gradient(y, v))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {k: 2.0 * k for k in range(1, 5)}
