package io.conceptseg.commons.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.ConceptSegException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RunnerGateTest {
    private final RunnerGate gate = new RunnerGate("text", "tiny", "ONNX", "onnx");

    @Test
    void runsWhileOpenThenFailsNamingStageAndModel() {
        assertEquals(7, gate.run(() -> 7));
        AtomicInteger freed = new AtomicInteger();
        assertTrue(gate.close(freed::incrementAndGet));
        assertFalse(gate.close(freed::incrementAndGet), "a second close does nothing");
        assertEquals(1, freed.get());
        assertTrue(gate.isClosed());
        ConceptSegException e = assertThrows(ConceptSegException.class, () -> gate.run(() -> 7));
        assertEquals("stage 'text' of model tiny: the ONNX runner is closed (its model was unloaded or the onnx backend "
                + "stopped); load the stage again", e.getMessage());
    }

    @Test
    void closeWaitsForTheRunInFlight() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicInteger freedWhileRunning = new AtomicInteger(-1);
        AtomicInteger inFlight = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> run = pool.submit(() -> gate.run(() -> {
                inFlight.incrementAndGet();
                running.countDown();
                try {
                    finish.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                inFlight.decrementAndGet();
                return 1;
            }));
            assertTrue(running.await(10, TimeUnit.SECONDS));
            Future<Boolean> close = pool.submit(() -> gate.close(() -> freedWhileRunning.set(inFlight.get())));
            Thread.sleep(100);
            assertFalse(close.isDone(), "close waits while a run is in flight");
            finish.countDown();
            assertEquals(1, run.get(10, TimeUnit.SECONDS));
            assertTrue(close.get(10, TimeUnit.SECONDS));
            assertEquals(0, freedWhileRunning.get(), "freed only after the run ended");
        } finally {
            pool.shutdownNow();
        }
    }
}
