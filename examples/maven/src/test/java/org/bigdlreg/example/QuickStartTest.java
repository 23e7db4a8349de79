package org.bigdlreg.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bigdlreg.javaapi.NoiseLayers;
import bigdlreg.javaapi.Tensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The published engine works from a plain Maven build, and gives the bytes the Scala and Python
  * quick starts give (the shared file they all check). */
class QuickStartTest {

  /** examples/quickstart-bits.txt (the pom passes its path), without blank lines. */
  private static List<String> sharedBits() throws IOException {
    String path = System.getProperty("quickstart.bits");
    assertNotNull(path, "system property quickstart.bits (set by the pom's surefire configuration) is missing");
    return Files.readAllLines(Path.of(path), StandardCharsets.UTF_8).stream().filter(l -> !l.isEmpty()).toList();
  }

  @Test
  void seededDropoutReproducesTheWorkedExampleOfTheRngContract() {
    float[] y = Tensors.toFloatArray(NoiseLayers.dropout(0.5).seed(42).buildFloat().forward(QuickStart.counting(2, 8)));
    float[] expected = {2, 0, 6, 8, 0, 0, 14, 16, 18, 20, 0, 24, 26, 28, 30, 32};
    assertArrayEquals(expected, y);
  }

  @Test
  void mainPrintsTheSharedBitsLast() throws IOException {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      QuickStart.main(new String[0]);
    } finally {
      System.setOut(stdout);
    }
    List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
    int header = lines.indexOf("bits of every result (float32, hex):");
    assertTrue(header >= 0, "main printed no bits header");
    assertEquals(sharedBits(), lines.subList(header + 1, lines.size()), "the lines after the bits header");
  }

  @Test
  void aBadArgumentIsTheEnginesClearMessage() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> NoiseLayers.dropout(1.5).seed(42).buildFloat());
    assertEquals("Dropout: init_p must be in [0, 1], got 1.5", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> NoiseLayers.gaussianNoise(0.1).scale(false).buildFloat());
    assertEquals("GaussianNoise has no parameter scale", e.getMessage());
  }
}
