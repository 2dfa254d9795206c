package dev.hearth.runners.esrgan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The engine on small random networks written here as TF.js layers models, against a naive reference that
 * follows Keras's definitions literally (upsample, then convolve with zero padding): checks the fused
 * upsample-convolution, ReLU folding, Concatenate, Add, 'valid' 1×1 convolutions and the 4-pixel kernel's tail.
 */
class LayersModelTest {

    @TempDir
    Path dir;

    /** Weights by layer: kernel HWIO and bias, in manifest order. */
    private final Map<String, float[][]> weights = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    private final Random random = new Random(42);

    private float[] randomArray(int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (random.nextFloat() * 2 - 1) * scale;
        return a;
    }

    private ObjectNode conv(ArrayNode layers, String name, String input, int k, int cin, int filters, String padding, String activation) {
        weights.put(name, new float[][]{randomArray(k * k * cin * filters, 0.3f), randomArray(filters, 0.5f)});
        shapes.put(name, new int[]{k, k, cin, filters});
        ObjectNode l = layer(layers, "Conv2D", name, input);
        ObjectNode c = (ObjectNode) l.get("config");
        c.put("filters", filters).put("padding", padding).put("activation", activation).put("use_bias", true).put("data_format", "channels_last");
        c.putArray("kernel_size").add(k).add(k);
        c.putArray("strides").add(1).add(1);
        c.putArray("dilation_rate").add(1).add(1);
        return l;
    }

    private static ObjectNode layer(ArrayNode layers, String type, String name, String... inputs) {
        ObjectNode l = layers.addObject().put("class_name", type).put("name", name);
        l.putObject("config").put("name", name);
        ArrayNode node = l.putArray("inbound_nodes").addArray();
        for (String in : inputs) node.addArray().add(in).add(0).add(0).addObject();
        return l;
    }

    private Path write(ArrayNode layers, String output) throws IOException {
        ObjectNode root = Json.object().put("format", "layers-model");
        ObjectNode config = root.putObject("modelTopology").putObject("model_config").putObject("config");
        config.set("layers", layers);
        config.putArray("input_layers").addArray().add("LR").add(0).add(0);
        config.putArray("output_layers").addArray().add(output).add(0).add(0);
        ObjectNode group = root.putArray("weightsManifest").addObject();
        group.putArray("paths").add("group1-shard1of1.bin");
        ArrayNode list = group.putArray("weights");
        int total = 0;
        for (var e : weights.entrySet()) {
            int[] s = shapes.get(e.getKey());
            list.addObject().put("name", e.getKey() + "/kernel").put("dtype", "float32").putArray("shape").add(s[0]).add(s[1]).add(s[2]).add(s[3]);
            list.addObject().put("name", e.getKey() + "/bias").put("dtype", "float32").putArray("shape").add(s[3]);
            total += e.getValue()[0].length + e.getValue()[1].length;
        }
        ByteBuffer buf = ByteBuffer.allocate(total * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[][] w : weights.values()) {
            for (float v : w[0]) buf.putFloat(v);
            for (float v : w[1]) buf.putFloat(v);
        }
        Files.write(dir.resolve("group1-shard1of1.bin"), buf.array());
        Path json = dir.resolve("model.json");
        Files.writeString(json, Json.text(root));
        return json;
    }

    private static ArrayNode withInput() {
        ArrayNode layers = Json.MAPPER.createArrayNode();
        ObjectNode in = layers.addObject().put("class_name", "InputLayer").put("name", "LR");
        in.putObject("config").put("name", "LR").putArray("batch_input_shape").addNull().addNull().addNull().add(3);
        in.putArray("inbound_nodes");
        return layers;
    }

    // ---- the naive reference -------------------------------------------------------------------------

    private Tensor refConv(Tensor in, String name, boolean same, boolean relu) {
        int[] s = shapes.get(name);
        int k = s[0], cin = s[2], cout = s[3];
        float[] w = weights.get(name)[0];
        float[] b = weights.get(name)[1];
        int pad = same ? (k - 1) / 2 : 0;
        int oh = same ? in.height : in.height - k + 1;
        int ow = same ? in.width : in.width - k + 1;
        Tensor out = new Tensor(oh, ow, cout);
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
                for (int co = 0; co < cout; co++) {
                    double sum = b[co];
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++) {
                            int iy = y + ky - pad, ix = x + kx - pad;
                            if (iy < 0 || ix < 0 || iy >= in.height || ix >= in.width) continue;
                            for (int ci = 0; ci < cin; ci++) sum += in.get(iy, ix, ci) * w[((ky * k + kx) * cin + ci) * cout + co];
                        }
                    out.data[(y * ow + x) * cout + co] = relu ? (float) Math.max(0, sum) : (float) sum;
                }
        return out;
    }

    private Tensor image(int h, int w) {
        Tensor t = new Tensor(h, w, 3);
        for (int i = 0; i < t.data.length; i++) t.data[i] = random.nextInt(256);
        return t;
    }

    private static void assertClose(Tensor actual, Tensor expected) {
        assertThat(actual.height).isEqualTo(expected.height);
        assertThat(actual.width).isEqualTo(expected.width);
        assertThat(actual.channels).isEqualTo(expected.channels);
        for (int i = 0; i < expected.data.length; i++) {
            assertThat(actual.data[i]).as("value %d", i).isCloseTo(expected.data[i], within(1e-3f * Math.max(1f, Math.abs(expected.data[i]))));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void upsamplingFusedIntoTheConvolutionMatchesUpsamplingThenConvolving(int factor) throws IOException {
        ArrayNode layers = withInput();
        conv(layers, "A", "LR", 3, 3, 6, "same", "relu");
        ObjectNode up = layer(layers, "UpSampling2D", "UP", "A");
        ((ObjectNode) up.get("config")).put("interpolation", "nearest").putArray("size").add(factor).add(factor);
        conv(layers, "SR", "UP", 3, 6, 3, "same", "linear");
        LayersModel model = LayersModel.load(write(layers, "SR"));
        assertThat(model.scale).isEqualTo(factor);

        Tensor img = image(7, 10); // widths that leave a tail after the 4-pixel blocks
        Tensor expected = refConv(Tensor.upsample(refConv(img, "A", true, true), factor), "SR", true, false);
        try (RowPool pool = new RowPool(2)) {
            assertClose(model.run(img, pool), expected);
        }
    }

    @Test
    void residualDenseBlockWiringMatchesTheReference() throws IOException {
        ArrayNode layers = withInput();
        conv(layers, "F0", "LR", 3, 3, 8, "same", "linear");
        conv(layers, "F1", "F0", 3, 8, 4, "same", "linear");
        layer(layers, "Activation", "F1_Relu", "F1").with("config").put("activation", "relu");
        layer(layers, "Concatenate", "CAT", "F0", "F1_Relu").with("config").put("axis", 3);
        conv(layers, "LFF", "CAT", 1, 12, 8, "valid", "linear");
        layer(layers, "Add", "SUM", "LFF", "F0");
        conv(layers, "OUT", "SUM", 5, 8, 3, "same", "linear");
        LayersModel model = LayersModel.load(write(layers, "OUT"));

        Tensor img = image(9, 6);
        Tensor f0 = refConv(img, "F0", true, false);
        Tensor f1 = refConv(f0, "F1", true, true);
        Tensor lff = refConv(Tensor.concat(f0, f1), "LFF", false, false);
        Tensor expected = refConv(Tensor.add(lff, f0), "OUT", true, false);
        try (RowPool pool = new RowPool(1)) {
            assertClose(model.run(img, pool), expected);
        }
        assertThat(model.receptiveRadius).isEqualTo(1 + 1 + 2);
    }

    @Test
    void anUnsupportedLayerIsRefusedByName() throws IOException {
        ArrayNode layers = withInput();
        layer(layers, "BatchNormalization", "BN", "LR");
        Path json = write(layers, "BN");
        assertThatThrownBy(() -> LayersModel.load(json)).hasMessageContaining("layer 'BN' is a BatchNormalization");
    }
}
