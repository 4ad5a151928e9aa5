package io.conceptseg.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StackTraceFilterTest {
    @Test
    void keepsMessagesAndCausesDropsFramesAndHintsOnce() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(new StackTraceFilter(new PrintStream(sink, true, StandardCharsets.UTF_8)), true, StandardCharsets.UTF_8);
        Exception e = new IllegalStateException("outer", new IllegalArgumentException("inner é"));
        err.println("ERROR : activate failed");
        e.printStackTrace(err);
        e.printStackTrace(err);
        err.print("partial");
        err.flush();

        String expected = "ERROR : activate failed\n"
                + "java.lang.IllegalStateException: outer\n"
                + StackTraceFilter.HINT + "\n"
                + "Caused by: java.lang.IllegalArgumentException: inner é\n"
                + "java.lang.IllegalStateException: outer\n"
                + "Caused by: java.lang.IllegalArgumentException: inner é\n"
                + "partial";
        assertEquals(expected, sink.toString(StandardCharsets.UTF_8));
    }

    @Test
    void ordinaryIndentedTextIsNotAFrame() {
        assertEquals(false, StackTraceFilter.isFrame("    attention: 3 heads\n"));
        assertEquals(true, StackTraceFilter.isFrame("\tat a.B.c(B.java:1)\n"));
        assertEquals(true, StackTraceFilter.isFrame("\t... 4 more\n"));
    }
}
