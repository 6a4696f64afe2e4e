"""tfx.queue against TensorFlow's eager queues (ordering, padding, priorities, closing, errors),
blocking with timeouts, and a threaded stress test: 8 threads move 100k items, each seen
exactly once."""
import collections
import threading
import time

import numpy as np
import pytest

import tfx
from structures_util import assert_same, same_as_tf

tf = pytest.importorskip("tensorflow")


def fifo_program(m):
    q = m.queue.FIFOQueue(10, [m.int32, m.float32], shapes=[[], [2]])
    q.enqueue((1, [1., 2.]))
    q.enqueue_many(([2, 3, 4], [[3., 4.], [5., 6.], [7., 8.]]))
    out = [q.size(), q.dequeue(), q.dequeue_many(2), q.is_closed()]
    q.close()
    out += [q.is_closed(), q.dequeue_up_to(5), q.dequeue_many(0)]
    return out


def names_program(m):
    q = m.queue.FIFOQueue(10, [m.int32, m.string], names=["a", "b"])
    q.enqueue({"a": 1, "b": "x"})
    q.enqueue_many({"a": [2, 3], "b": ["y", "z"]})
    return [q.dequeue(), q.dequeue(), q.names]


def priority_program(m):
    q = m.queue.PriorityQueue(10, [m.string], shapes=[[]])
    q.enqueue((m.constant(3, m.int64), "c"))
    q.enqueue_many(([5, 1], ["e", "a"]))
    return [q.dequeue(), q.dequeue_many(2), [d.name for d in q.dtypes],
            [s.as_list() for s in q.shapes]]


def padding_program(m):
    q = m.queue.PaddingFIFOQueue(10, [m.int32, m.string], shapes=[[None], []])
    q.enqueue(([1, 2, 3], "a"))
    q.enqueue(([4], "b"))
    q.enqueue(([], "c"))
    return q.dequeue_many(3)


def shuffle_closed_program(m):
    q = m.queue.RandomShuffleQueue(10, 2, m.int32, shapes=[[]], seed=1)
    q.enqueue_many([[1, 2, 3, 4]])
    first = q.dequeue()  # 4 > min_after_dequeue: allowed before closing
    q.close()
    rest = [q.dequeue() for _ in range(3)]
    return sorted(int(x) for x in [first] + rest), q.size()


def closed_empty_program(m):
    q = m.queue.FIFOQueue(1, m.int32, shapes=[[]])
    q.enqueue(1)
    q.close(cancel_pending_enqueues=True)
    q.dequeue()
    return q.dequeue()


def closed_enqueue_program(m):
    q = m.queue.FIFOQueue(3, m.float32)
    q.close()
    q.enqueue(1.)


def closed_short_many_program(m):
    q = m.queue.FIFOQueue(5, m.int32, shapes=[[]])
    q.enqueue_many([[1, 2]])
    q.close()
    return q.dequeue_many(3)


PROGRAMS = {
    "fifo": fifo_program,
    "names": names_program,
    "priority": priority_program,
    "padding": padding_program,
    "shuffle_after_close": shuffle_closed_program,
    "dequeue_closed_empty": closed_empty_program,
    "enqueue_closed": closed_enqueue_program,
    "dequeue_many_closed_short": closed_short_many_program,
    "dequeue_many_unknown_shape": lambda m: m.queue.FIFOQueue(3, m.float32).dequeue_many(1),
    "dequeue_many_negative": lambda m: m.queue.FIFOQueue(3, m.int32, shapes=[[]])
    .dequeue_many(-1),
    "wrong_shape": lambda m: m.queue.FIFOQueue(3, m.float32, shapes=[[2]]).enqueue([[1., 2.,
                                                                                    3.]]),
    "names_need_dict": lambda m: m.queue.FIFOQueue(3, [m.int32], names=["a"]).enqueue((1,)),
    "enqueue_many_scalar": lambda m: m.queue.FIFOQueue(3, m.int32, shapes=[[]])
    .enqueue_many([1]),
    "wrong_dtype": lambda m: m.queue.FIFOQueue(3, m.float32).enqueue(m.constant(1)),
    "padding_needs_shapes": lambda m: m.queue.PaddingFIFOQueue(3, [m.int32]),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_against_tensorflow(name):
    same_as_tf(tf, PROGRAMS[name])


def test_out_of_range_on_empty_closed_queue():
    q = tfx.queue.FIFOQueue(4, tfx.int32, shapes=[[]])
    q.close()
    with pytest.raises(tfx.errors.OutOfRangeError, match="closed and has insufficient"):
        q.dequeue()
    with pytest.raises(tfx.errors.OutOfRangeError):
        q.dequeue_up_to(2)


def test_blocking_and_timeouts():
    q = tfx.queue.FIFOQueue(1, tfx.int32, shapes=[[]])
    t0 = time.monotonic()
    with pytest.raises(tfx.errors.DeadlineExceededError):
        q.dequeue(timeout=0.05)
    assert time.monotonic() - t0 >= 0.05
    q.enqueue(1)
    with pytest.raises(tfx.errors.DeadlineExceededError):
        q.enqueue(2, timeout=0.05)  # full
    # A blocked dequeue wakes when a producer arrives.
    got = []
    consumer = threading.Thread(target=lambda: got.extend([int(q.dequeue()),
                                                           int(q.dequeue())]))
    consumer.start()
    time.sleep(0.02)
    q.enqueue(2, timeout=5)
    consumer.join(5)
    assert got == [1, 2]


def test_close_wakes_blocked_threads():
    q = tfx.queue.FIFOQueue(1, tfx.int32, shapes=[[]])
    errors = []

    def wait_dequeue():
        try:
            q.dequeue_many(2)
        except tfx.errors.OutOfRangeError as e:
            errors.append(e)

    th = threading.Thread(target=wait_dequeue)
    th.start()
    time.sleep(0.02)
    q.close()
    th.join(5)
    assert len(errors) == 1 and not th.is_alive()

    q2 = tfx.queue.FIFOQueue(1, tfx.int32, shapes=[[]])
    q2.enqueue(1)
    cancelled = []

    def wait_enqueue():
        try:
            q2.enqueue(2)
        except tfx.errors.CancelledError as e:
            cancelled.append(e)

    th = threading.Thread(target=wait_enqueue)
    th.start()
    time.sleep(0.02)
    q2.close(cancel_pending_enqueues=True)
    th.join(5)
    assert len(cancelled) == 1
    assert int(q2.dequeue()) == 1


def test_random_shuffle_is_seeded_and_mixes():
    def draw(seed):
        tfx.random.set_seed(seed)
        q = tfx.queue.RandomShuffleQueue(100, 0, tfx.int32, shapes=[[]], seed=5)
        q.enqueue_many([list(range(50))])
        return q.dequeue_many(50).numpy().tolist()
    first, again, other = draw(1), draw(1), draw(2)
    assert first == again and first != other
    assert sorted(first) == list(range(50)) and first != list(range(50))


def test_padding_queue_strings_and_dicts():
    q = tfx.queue.PaddingFIFOQueue(5, [tfx.string], shapes=[[None]], names=["w"])
    q.enqueue({"w": ["a", "b"]})
    q.enqueue({"w": ["c"]})
    out = q.dequeue_many(2)
    assert out["w"].numpy().tolist() == [[b"a", b"b"], [b"c", b""]]


def test_stress_eight_threads_every_item_exactly_once():
    n, producers, consumers = 100_000, 4, 4
    q = tfx.queue.FIFOQueue(500, tfx.int64, shapes=[[]])
    seen = collections.Counter()
    lock = threading.Lock()
    failures = []

    def produce(k):
        items = list(range(k, n, producers))
        for i in range(0, len(items), 64):
            chunk = items[i:i + 64]
            if i % 640 == 0:  # some single enqueues among the batches
                for x in chunk:
                    q.enqueue(x)
            else:
                q.enqueue_many([chunk])

    def consume(k):
        local = []
        try:
            while True:
                try:
                    if k % 2:
                        local.append(int(q.dequeue()))
                    else:
                        local.extend(q.dequeue_up_to(37).numpy().tolist())
                except tfx.errors.OutOfRangeError:
                    break
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(e)
        with lock:
            seen.update(local)

    threads = [threading.Thread(target=produce, args=(k,)) for k in range(producers)]
    threads += [threading.Thread(target=consume, args=(k,)) for k in range(consumers)]
    for th in threads:
        th.start()
    for th in threads[:producers]:
        th.join(60)
    q.close()
    for th in threads[producers:]:
        th.join(60)
    assert not failures
    assert sum(seen.values()) == n and len(seen) == n
    assert set(seen) == set(range(n)) and max(seen.values()) == 1
    assert int(q.size()) == 0


def test_tensors_go_through_unchanged():
    q = tfx.queue.FIFOQueue(3, [tfx.float32, tfx.string])
    x = tfx.constant([[1., 2.]])
    q.enqueue((x, "s"))
    got = q.dequeue()
    assert_same(x, got[0])
    np.testing.assert_array_equal(got[1].numpy(), b"s")
