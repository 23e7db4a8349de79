package org.bigdlreg.example;

import bigdlreg.javaapi.NoiseLayers;
import bigdlreg.javaapi.Tensors;
import bigdlreg.nn.Dropout;
import bigdlreg.nn.NoiseModule;
import bigdlreg.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The README's quick start from Java: a forward and a backward through every layer, seeded. It
 * ends with the bit pattern of every result, the lines the Scala ({@code examples/scala}) and
 * Python ({@code examples/quickstart.py}) quick starts print too; all three are checked against
 * {@code examples/quickstart-bits.txt} (QuickStartTest here).
 *
 * <p>A float32 module or tensor is {@code Dropout<Object>} / {@code Tensor<Object>} in Java (the
 * engine is Scala, whose {@code Float} type argument reads as {@code Object} here).
 */
public final class QuickStart {
  private QuickStart() {}

  /** One result of the quick start and its label. */
  public record Result(String label, Tensor<Object> value) {}

  /** 1, 2, ..., n laid out in {@code shape} (row-major), float32. */
  public static Tensor<Object> counting(int... shape) {
    int n = 1;
    for (int d : shape) n *= d;
    float[] data = new float[n];
    for (int i = 0; i < n; i++) data[i] = i + 1;
    return Tensors.of(data, shape);
  }

  /** Every result of the quick start, in order, with its label. */
  public static List<Result> results() {
    List<Result> out = new ArrayList<>();
    Tensor<Object> x = counting(2, 8);
    Dropout<Object> dropout = NoiseLayers.dropout(0.5).seed(42).buildFloat();
    forwardBackward(out, "Dropout", dropout, x);
    dropout.evaluate();
    out.add(new Result("Dropout.evaluate", dropout.forward(x).clone()));
    forwardBackward(out, "SpatialDropout2D",
        NoiseLayers.spatialDropout2D(0.5).dataFormat("NHWC").seed(7).buildFloat(), counting(1, 2, 2, 3));
    forwardBackward(out, "GaussianDropout", NoiseLayers.gaussianDropout(0.2).seed(42).buildFloat(), x);
    forwardBackward(out, "GaussianNoise", NoiseLayers.gaussianNoise(0.1).seed(42).buildFloat(), x);
    forwardBackward(out, "SpatialDropout1D", NoiseLayers.spatialDropout1D(0.5).seed(42).buildFloat(), counting(2, 3, 4));
    forwardBackward(out, "SpatialDropout3D",
        NoiseLayers.spatialDropout3D(0.5).seed(42).buildFloat(), counting(1, 2, 2, 2, 2));
    return out;
  }

  // clone(): a module reuses its output and gradient buffers on the next call
  private static void forwardBackward(List<Result> out, String label, NoiseModule<Object> layer, Tensor<Object> input) {
    out.add(new Result(label + ".forward", layer.forward(input).clone()));
    out.add(new Result(label + ".backward", layer.backward(input, Tensors.onesLike(input)).clone()));
  }

  /** {@code <label> <hex of each float's bits>}: the lines every language must print alike. */
  public static List<String> bitLines(List<Result> results) {
    List<String> lines = new ArrayList<>();
    for (Result r : results) {
      StringBuilder line = new StringBuilder(r.label());
      for (float v : Tensors.toFloatArray(r.value())) line.append(String.format(" %08x", Float.floatToRawIntBits(v)));
      lines.add(line.toString());
    }
    return lines;
  }

  public static void main(String[] args) {
    List<Result> all = results();
    for (Result r : all) System.out.println(r.label() + ":\n" + r.value());
    System.out.println("\nbits of every result (float32, hex):");
    bitLines(all).forEach(System.out::println);
  }
}
