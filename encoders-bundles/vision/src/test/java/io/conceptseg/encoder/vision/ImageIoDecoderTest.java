package io.conceptseg.encoder.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.image.ImageData;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageIoDecoderTest {
    private final ImageIoDecoder decoder = new ImageIoDecoder();

    @TempDir
    Path dir;

    static byte[] resource(String name) throws IOException {
        try (InputStream in = ImageIoDecoderTest.class.getResourceAsStream("/pil/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /pil/" + name);
            }
            return in.readAllBytes();
        }
    }

    static int maxDifference(byte[] a, byte[] b) {
        assertEquals(a.length, b.length, "buffer sizes");
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((a[i] & 0xff) - (b[i] & 0xff)));
        }
        return max;
    }

    /** Each colour type decodes to the pixels PIL's convert("RGB") gives (the PNGs exactly). */
    @ParameterizedTest
    @ValueSource(strings = {"source.png", "gray.png", "palette.png", "rgba.png", "la.png"})
    void pngColourTypesMatchPil(String name) throws IOException {
        ImageData image = decoder.decode(name, resource(name));
        ImageData expected = decoder.decode("expected", resource(name.equals("source.png") ? name : name + ".expected.png"));
        assertEquals(61, image.width());
        assertEquals(37, image.height());
        assertArrayEquals(expected.rgb(), image.rgb(), name);
    }

    /** JPEG decoders (the JDK's libjpeg 6b and PIL's libjpeg-turbo) may differ by a level or two. */
    @ParameterizedTest
    @ValueSource(strings = {"gray.jpg", "rgb.jpg"})
    void jpegMatchesPilWithinTwoLevels(String name) throws IOException {
        ImageData image = decoder.decode(name, resource(name));
        ImageData expected = decoder.decode("expected", resource(name + ".expected.png"));
        int diff = maxDifference(expected.rgb(), image.rgb());
        assertTrue(diff <= 2, name + " differs from PIL by " + diff + " levels");
    }

    @Test
    void grayIsReplicatedWithoutGammaConversion() throws IOException {
        BufferedImage gray = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 128, 255});
        ImageData image = decoder.decode("gray", png(gray));
        assertArrayEquals(new byte[] {0, 0, 0, (byte) 128, (byte) 128, (byte) 128, (byte) 255, (byte) 255, (byte) 255},
                image.rgb());
    }

    @Test
    void sixteenBitGrayKeepsTheHighByte() throws IOException {
        BufferedImage gray = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
        gray.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0x00ff, 0x8000, 0xffff});
        ImageData image = decoder.decode("gray16", png(gray));
        assertArrayEquals(new byte[] {0, 0, 0, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 255, (byte) 255, (byte) 255},
                image.rgb());
    }

    @Test
    void sixteenBitRgbaKeepsTheHighByteAndDropsAlpha() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(2, 1);
        raster.setPixel(0, 0, new int[] {0x1234, 0xabcd, 0xff00, 0});
        raster.setPixel(1, 0, new int[] {0xffff, 0x0000, 0x7fff, 0xffff});
        BufferedImage img = new BufferedImage(cm, raster, false, null);
        ImageData image = decoder.decode("rgba16", png(img));
        assertArrayEquals(new byte[] {0x12, (byte) 0xab, (byte) 0xff, (byte) 0xff, 0, 0x7f}, image.rgb());
    }

    @Test
    void decodesAFile() throws IOException {
        Path f = dir.resolve("source.png");
        Files.write(f, resource("source.png"));
        ImageData image = decoder.decode(f);
        assertEquals(f.toString(), image.name());
        assertEquals(61 * 37 * 3, image.rgb().length);
    }

    // ---- bad inputs: one InvalidInputException naming the file -----------------------------------

    private InvalidInputException refused(Path f, String problem) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> decoder.decode(f));
        assertEquals(f.toString(), e.input(), "the exception names the file");
        assertTrue(e.problem().contains(problem), "'" + e.getMessage() + "' should say '" + problem + "'");
        System.out.println("refused: " + e.getMessage());
        return e;
    }

    @Test
    void missingFile() {
        refused(dir.resolve("nope.png"), "no such file");
    }

    @Test
    void directory() {
        refused(dir, "directory");
    }

    @Test
    void emptyFile() throws IOException {
        Path f = Files.write(dir.resolve("empty.png"), new byte[0]);
        refused(f, "empty");
    }

    @Test
    void textFileNamedPng() throws IOException {
        Path f = Files.writeString(dir.resolve("notes.png"), "this is not an image\n");
        refused(f, "not a PNG or JPEG");
    }

    @Test
    void otherImageFormatIsRefused() throws IOException {
        Path f = dir.resolve("image.png");
        ImageIO.write(noise(8, 8, BufferedImage.TYPE_3BYTE_BGR), "bmp", f.toFile());
        refused(f, "not a PNG or JPEG");
    }

    @Test
    void truncatedPng() throws IOException {
        byte[] full = png(noise(64, 48, BufferedImage.TYPE_3BYTE_BGR));
        Path f = Files.write(dir.resolve("cut.png"), Arrays.copyOf(full, full.length / 2));
        refused(f, "truncated");
    }

    @Test
    void truncatedJpegIsAnErrorNotAGreyImage() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(noise(64, 48, BufferedImage.TYPE_3BYTE_BGR), "jpeg", out);
        byte[] full = out.toByteArray();
        Path f = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(full, full.length / 2));
        refused(f, "truncated");
    }

    @Test
    void pngOverTheSizeLimitIsRefusedFromTheHeader() throws IOException {
        // a header only: no pixel data could be decoded, so the refusal must come from the header
        Path f = Files.write(dir.resolve("huge.png"), pngHeader(9000, 10));
        InvalidInputException e = refused(f, "9000x10");
        assertTrue(e.problem().contains(String.valueOf(ImageData.MAX_SIDE)), e.getMessage());
    }

    @Test
    void pngOfZeroSize() throws IOException {
        Path f = Files.write(dir.resolve("zero.png"), pngHeader(0, 10));
        refused(f, "zero");
    }

    @Test
    void jpegOfZeroWidth() throws IOException {
        byte[] jpeg = jpegWithSize(0, 8);
        Path f = Files.write(dir.resolve("zero.jpg"), jpeg);
        refused(f, "zero");
    }

    /** A small JPEG whose SOF0 header claims another size. */
    private static byte[] jpegWithSize(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(noise(16, 8, BufferedImage.TYPE_3BYTE_BGR), "jpeg", out);
        byte[] jpeg = out.toByteArray();
        int sof = indexOfMarker(jpeg, 0xC0);
        // SOF0: marker (2), length (2), precision (1), height (2), width (2)
        jpeg[sof + 5] = (byte) (height >> 8);
        jpeg[sof + 6] = (byte) height;
        jpeg[sof + 7] = (byte) (width >> 8);
        jpeg[sof + 8] = (byte) width;
        return jpeg;
    }

    @Test
    void jpegOverTheSizeLimitIsRefusedFromTheHeader() throws IOException {
        byte[] jpeg = jpegWithSize(16, 8200);
        Path f = Files.write(dir.resolve("tall.jpg"), jpeg);
        refused(f, "16x8200");
    }

    @Test
    void bytesAreNamedInMessages() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> decoder.decode("upload-7", "GIF89a...".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("upload-7", e.input());
        InvalidInputException empty = assertThrows(InvalidInputException.class, () -> decoder.decode("upload-8", new byte[0]));
        assertEquals("upload-8", empty.input());
    }

    // ---- helpers ------------------------------------------------------------------------------------

    static BufferedImage noise(int w, int h, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        Random r = new Random(3);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return img;
    }

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "png", out), "ImageIO wrote no PNG");
        return out.toByteArray();
    }

    /** A PNG signature and an IHDR chunk (8-bit RGB) with a correct CRC, and nothing else. */
    static byte[] pngHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        b.putInt(13);
        int typeAt = b.position();
        b.put("IHDR".getBytes(StandardCharsets.US_ASCII));
        b.putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(b.array(), typeAt, 4 + 13);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static int indexOfMarker(byte[] jpeg, int marker) {
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == marker) {
                return i;
            }
        }
        throw new AssertionError("no marker " + Integer.toHexString(marker));
    }
}
