package bigdlreg.javaapi;

import bigdlreg.nn.Dropout;
import bigdlreg.nn.LayerState;
import bigdlreg.nn.NoiseModule;
import bigdlreg.nn.SpatialDropout2D;
import bigdlreg.rng.RNG;
import bigdlreg.tensor.Tensor;

/** The Java API called from Java source: compiling this file is the check that a Java user needs
  * no Scala type (Seq, Option, TensorNumeric, an implicit); JavaApiSuite compares its results with
  * the Scala API's, byte for byte. */
public final class JavaCalls {
  private JavaCalls() {}

  /** Every factory with every setting it takes, float32 ({@code dtype} "float32") or float64. */
  public static NoiseModule<?>[] everyLayer(String dtype) {
    LayerBuilder<?, ?>[] builders = {
      NoiseLayers.dropout(0.3).seed(42).scale(false).noiseShape(null, 1),
      NoiseLayers.gaussianDropout(0.2).seed(42).noiseShape(1, null),
      NoiseLayers.gaussianNoise(0.1).seed(42).noiseShape(null, null),
      NoiseLayers.spatialDropout1D(0.4).seed(42),
      NoiseLayers.spatialDropout2D(0.4).seed(42).dataFormat("NHWC"),
      NoiseLayers.spatialDropout3D().seed(Long.parseUnsignedLong("18446744073709551615")).dataFormat("channels_first"),
      NoiseLayers.alphaDropout(0.25).seed(42).noiseShape(null, 1),
      NoiseLayers.featureAlphaDropout(0.25).seed(7).dataFormat("NHWC"),
    };
    NoiseModule<?>[] modules = new NoiseModule<?>[builders.length];
    for (int i = 0; i < builders.length; i++)
      modules[i] = dtype.equals("float32") ? builders[i].buildFloat() : builders[i].buildDouble();
    return modules;
  }

  /** A float32 forward and backward through an inplace Dropout: {output, gradient} as arrays. */
  public static float[][] inplaceDropout(float[] input, int... shape) {
    Dropout<Object> drop = NoiseLayers.dropout().inplace(true).seed(42).buildFloat();
    Tensor<Object> x = Tensors.of(input, shape);
    float[] y = Tensors.toFloatArray(drop.forward(x));
    float[] g = Tensors.toFloatArray(drop.backward(x, Tensors.onesLike(x)));
    return new float[][] {y, g};
  }

  /** A float64 SpatialDropout2D forward (the typed module: getP is there without a cast). */
  public static double[] spatial2D(double p, double[] input, int... shape) {
    SpatialDropout2D<Object> maps = NoiseLayers.spatialDropout2D(p).seed(7).buildDouble();
    if (maps.getP() != p) throw new AssertionError("getP " + maps.getP());
    return Tensors.toDoubleArray(maps.forward(Tensors.of(input, shape)));
  }

  /** A Dropout whose noise shape was set, then set to a null array (Java's varargs call). */
  public static Dropout<Object> nullNoiseShape() {
    return NoiseLayers.dropout().noiseShape(null, 1).noiseShape((Integer[]) null).buildFloat();
  }

  /** What Java's types allow and Scala's don't: a float64 tensor into a float32 module. */
  public static void float64IntoFloat32(boolean backward) {
    Dropout<Object> drop = NoiseLayers.dropout().seed(1).buildFloat();
    Tensor<Object> floats = Tensors.of(new float[] {1f}, 1);
    Tensor<Object> doubles = Tensors.of(new double[] {1.0}, 1);
    if (backward) drop.backward(drop.forward(floats), doubles);
    else drop.forward(doubles);
  }

  /** A checkpoint round trip from Java: {the module's second forward, the restored module's}, float64;
    * the module's seed comes from the global seeder, seeded with {@code g}. */
  public static double[][] resumed(long g, double[] input, int... shape) {
    RNG.setSeed(g);
    NoiseModule<Object> drop = NoiseLayers.alphaDropout(0.3).buildDouble();
    Tensor<Object> x = Tensors.of(input, shape);
    drop.forward(x);
    NoiseModule<Object> restored = NoiseLayers.fromStateDouble(LayerState.fromJson(drop.getState().toJson()));
    return new double[][] {Tensors.toDoubleArray(drop.forward(x)), Tensors.toDoubleArray(restored.forward(x))};
  }
}
