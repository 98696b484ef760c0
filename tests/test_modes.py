"""no_grad / enable_grad / detect_anomaly behave like PyTorch's reusable switches."""

import asyncio
import threading

import pytest

import autograd
from autograd import Value, enable_grad, is_grad_enabled, no_grad


def recorded() -> bool:
    return (Value(1.0) + 1).op is not None


def test_one_no_grad_object_can_be_entered_again_and_nested():
    switch = no_grad()
    with switch:
        assert not recorded()
    with switch:
        with switch:
            assert not recorded()
        assert not recorded()
    assert recorded()


def test_enable_grad_inside_no_grad_restores_the_outer_setting():
    with no_grad():
        with enable_grad():
            assert recorded()
        assert not recorded()
    assert recorded()


def test_an_exception_inside_the_block_still_restores_recording():
    with pytest.raises(KeyError), no_grad():
        raise KeyError("boom")
    assert recorded() and is_grad_enabled()


def test_decorator_with_and_without_parentheses():
    @no_grad()
    def called() -> bool:
        return recorded()

    @no_grad
    def bare() -> bool:
        """Docstring kept."""
        return recorded()

    assert called() is False and bare() is False
    assert bare.__doc__ == "Docstring kept." and bare.__name__ == "bare"
    assert recorded()


def test_decorated_generator_runs_its_own_code_without_recording_only():
    @no_grad()
    def gen():
        sent = yield recorded()
        yield (sent, recorded())
        return "done"

    it = gen()
    assert next(it) is False
    assert recorded()  # the consumer, between two steps, is not inside no_grad
    assert it.send("x") == ("x", False)
    with pytest.raises(StopIteration) as stop:
        next(it)
    assert stop.value.value == "done"
    assert recorded()


def test_decorated_generator_passes_thrown_exceptions_and_close():
    log = []

    @no_grad()
    def gen():
        try:
            yield 1
        except ValueError:
            log.append(("caught", recorded()))
            yield 2
        finally:
            log.append(("closed", recorded()))

    it = gen()
    next(it)
    assert it.throw(ValueError("x")) == 2
    it.close()
    assert log == [("caught", False), ("closed", False)]
    assert recorded()


def test_decorated_coroutine_applies_inside_its_task_only():
    @no_grad()
    async def inside() -> bool:
        await asyncio.sleep(0)
        return recorded()

    async def outside() -> bool:
        await asyncio.sleep(0)
        return recorded()

    async def main():
        return await asyncio.gather(inside(), outside())

    assert asyncio.run(main()) == [False, True]


def test_one_shared_switch_used_by_several_threads():
    switch = no_grad()
    barrier = threading.Barrier(4)
    errors, results = [], []

    def worker():
        try:
            for _ in range(50):
                barrier.wait(5)  # enter and leave in lock step, so the blocks interleave
                with switch:
                    results.append(recorded())
            results.append(("after", recorded()))
        except Exception as err:  # report, rather than silently dying in the thread
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results.count(False) == 200 and results.count(("after", True)) == 4
    assert recorded()


def test_detect_anomaly_as_a_decorator():
    @autograd.detect_anomaly
    def blow_up():
        return Value(1000.0).exp()

    with pytest.raises(FloatingPointError):
        blow_up()
    assert Value(1000.0).exp().data == float("inf")


def test_a_task_created_inside_no_grad_and_run_after_it_agrees_with_is_grad_enabled():
    # The task's context is a copy made inside the block.  Once the block is left, operations
    # record (no block is open anywhere); is_grad_enabled() must say the same, and the answer
    # must not depend on whether some unrelated thread has a block open at that moment.
    async def work():
        await asyncio.sleep(0.01)
        return is_grad_enabled(), recorded()

    async def main():
        with no_grad():
            task = asyncio.create_task(work())
        return await task

    assert asyncio.run(main()) == (True, True)

    inside, leave = threading.Event(), threading.Event()

    def other_thread():
        with no_grad():
            inside.set()
            leave.wait(5)

    t = threading.Thread(target=other_thread)
    t.start()
    inside.wait(5)
    try:
        assert asyncio.run(main()) == (True, True)
    finally:
        leave.set()
        t.join()


def test_a_task_created_inside_no_grad_is_inside_it_while_the_block_is_open():
    async def work():
        return is_grad_enabled(), recorded()

    async def main():
        with no_grad():
            return await asyncio.create_task(work())

    assert asyncio.run(main()) == (False, False)


@pytest.mark.parametrize("make", [
    lambda: Value(float("inf"), label="a") - Value(float("inf"), label="b"),
    lambda: Value(float("inf"), label="a") * Value(0.0, label="b"),
    lambda: Value(float("inf"), label="a") / Value(float("inf"), label="b"),
], ids=["inf-inf", "inf*0", "inf/inf"])
def test_detect_anomaly_catches_the_first_nan_even_from_infinite_inputs(make):
    with autograd.detect_anomaly(), pytest.raises(FloatingPointError, match="'a'=inf"):
        make()


def test_detect_anomaly_lets_values_that_are_already_nan_or_inf_flow():
    with autograd.detect_anomaly():
        assert (Value(float("inf")) + 1).data == float("inf")  # not new: the input was inf
        nan = Value(float("nan"))
        assert (nan * 2).data != (nan * 2).data  # not new: the input was nan


def test_decorated_methods_get_their_instance():
    class Model:
        @no_grad()
        def predict(self, x):
            return self, recorded()

        @no_grad()
        def stream(self, n):
            for _ in range(n):
                yield self, recorded()

        @no_grad()
        async def later(self):
            return self, recorded()

    m = Model()
    assert m.predict(1) == (m, False)
    assert list(m.stream(2)) == [(m, False), (m, False)]
    assert asyncio.run(m.later()) == (m, False)


def test_a_non_function_argument_is_a_type_error():
    with pytest.raises(TypeError, match="function to decorate"):
        no_grad(True)
    assert recorded()


def test_backward_anomaly_message_reads_naturally():
    x = Value(0.0, label="x")
    with autograd.detect_anomaly(), pytest.raises(FloatingPointError) as err:
        (x.sqrt() * 0.0).backward()
    assert "gradient into 'x' through the 'sqrt' node (data=0.0)" in str(err.value)
    y = x.sqrt()
    y.label = "root"
    with autograd.detect_anomaly(), pytest.raises(FloatingPointError) as err:
        y.backward()
    assert "through the 'sqrt' node 'root' (data=0.0)" in str(err.value)


def test_leaving_a_block_from_another_thread_is_a_clear_error():
    switch = no_grad()
    switch.__enter__()
    errors = []

    def leave() -> None:
        try:
            switch.__exit__(None, None, None)
        except RuntimeError as err:
            errors.append(str(err))

    thread = threading.Thread(target=leave)
    thread.start()
    thread.join()
    try:
        assert errors and "no_grad() block left in a thread" in errors[0]
        assert not recorded()  # the block is still open where it was entered
    finally:
        switch.__exit__(None, None, None)
    assert recorded()


def test_closing_a_generator_inside_the_callers_block_leaves_that_block_open():
    def numbers():
        with autograd.detect_anomaly():
            yield 1
            yield 2

    gen = numbers()
    next(gen)  # the generator's block is now open, in this context
    with no_grad():
        gen.close()  # ends the generator's detect_anomaly block only
        assert not recorded() and not autograd.core.modes.anomaly_enabled()
        still = Value(1.0) * 2
    assert still.op is None and recorded()


def test_a_switchs_inner_block_closed_out_of_order_keeps_the_later_one():
    outer, inner = no_grad(), enable_grad()
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)  # out of order: the enable_grad block is still open
    assert recorded()
    inner.__exit__(None, None, None)
    assert recorded()
