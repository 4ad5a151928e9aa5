package io.conceptseg.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SacoDatasetTest {
    @TempDir
    Path dir;

    private void json(String name, String text) throws Exception { Files.writeString(dir.resolve(name), text); }

    @Test
    void groupsPairsByImage() throws Exception {
        Files.write(dir.resolve("a.png"), new byte[] {1});
        Files.write(dir.resolve("b.png"), new byte[] {1});
        json("set.json", "{\"images\":[{\"id\":1,\"file_name\":\"a.png\",\"text_input\":\"washer\"},"
                + "{\"id\":2,\"file_name\":\"b.png\",\"text_input\":\"nut\"},"
                + "{\"id\":3,\"file_name\":\"a.png\",\"text_input\":\"rust spot\"}],\"annotations\":[]}");
        SacoDataset d = SacoDataset.read(dir);
        assertEquals(3, d.pairs().size());
        assertEquals(2, d.byImage().size());
        assertEquals(2, d.byImage().get(dir.resolve("a.png")).size());
    }

    @Test
    void missingImageNamesTheEntry() throws Exception {
        json("set.json", "{\"images\":[{\"id\":7,\"file_name\":\"gone.png\",\"text_input\":\"washer\"}]}");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SacoDataset.read(dir));
        assertTrue(e.getMessage().contains("images[0] (id 7, gone.png)") && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void emptyAndMalformedFilesAreNamed() throws Exception {
        json("set.json", "");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SacoDataset.read(dir));
        assertTrue(e.getMessage().contains("set.json") && e.getMessage().contains("empty"), e.getMessage());
        json("set.json", "{\"images\": [ {\"id\": 1,, } ]}");
        e = assertThrows(InvalidInputException.class, () -> SacoDataset.read(dir));
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
    }

    @Test
    void missingPhraseAndFolderProblems() throws Exception {
        Files.write(dir.resolve("a.png"), new byte[] {1});
        json("set.json", "{\"images\":[{\"id\":1,\"file_name\":\"a.png\"}]}");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SacoDataset.read(dir));
        assertTrue(e.getMessage().contains("text_input"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> SacoDataset.read(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("not found"));
        Files.delete(dir.resolve("set.json"));
        e = assertThrows(InvalidInputException.class, () -> SacoDataset.read(dir));
        assertTrue(e.getMessage().contains("no annotations JSON"));
    }
}
