package dev.hearth.runners.esrgan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A TF.js "layers-model" (model.json + binary weight shards) run in plain Java, for the layer types that
 * super-resolution networks such as idealo's RDN use: Conv2D (stride 1, "same"/"valid", linear or ReLU),
 * Activation/ReLU, Concatenate (channels), Add, and UpSampling2D (nearest). An UpSampling2D followed by its only
 * consumer, a Conv2D, is fused ({@link Conv2d#afterUpsampling}); a ReLU after a convolution nobody else reads is
 * folded into it. Anything else is refused at load time with the layer's name, never approximated.
 *
 * <p>Thread-safe: {@link #run} keeps its intermediate tensors to itself.
 */
final class LayersModel {

    private sealed interface Op {
        List<String> inputs();
    }

    private record Input(List<String> inputs) implements Op {
    }

    private record Conv(List<String> inputs, Conv2d conv) implements Op {
    }

    private record FusedUpConv(List<String> inputs, Conv2d.UpsampledConv conv) implements Op {
    }

    private record Relu(List<String> inputs) implements Op {
    }

    private record Identity(List<String> inputs) implements Op {
    }

    private record Concat(List<String> inputs) implements Op {
    }

    private record Add(List<String> inputs) implements Op {
    }

    private record Upsample(List<String> inputs, int factor) implements Op {
    }

    private final List<String> order;
    private final Map<String, Op> ops;
    private final String input;
    private final String output;
    /** For each node, the index in {@link #order} of the last node that reads it: its tensor is dropped after that. */
    private final Map<String, Integer> lastUse;
    final int scale;
    final int inputChannels;
    /** How far (in input pixels) an output pixel can see: tiles overlapping by this much give the same result as one pass. */
    final int receptiveRadius;

    private LayersModel(List<String> order, Map<String, Op> ops, String input, String output, int scale, int inputChannels, int receptiveRadius) {
        this.order = order;
        this.ops = ops;
        this.input = input;
        this.output = output;
        this.scale = scale;
        this.inputChannels = inputChannels;
        this.receptiveRadius = receptiveRadius;
        this.lastUse = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            for (String in : ops.get(order.get(i)).inputs()) lastUse.put(in, i);
        }
    }

    static LayersModel load(Path modelJson) throws IOException {
        JsonNode root = new ObjectMapper().readTree(modelJson.toFile());
        String where = modelJson.toString();
        if (!"layers-model".equals(root.path("format").asText("layers-model"))) {
            throw new IOException(where + " is a TF.js '" + root.path("format").asText() + "', not a layers-model");
        }
        JsonNode topology = root.path("modelTopology");
        JsonNode config = topology.path("model_config").path("config");
        if (config.isMissingNode()) config = topology.path("config");
        JsonNode layers = config.path("layers");
        if (!layers.isArray() || layers.isEmpty()) throw new IOException(where + " has no modelTopology layers");
        Map<String, float[]> weights = readWeights(modelJson, root.path("weightsManifest"));

        // First pass: each layer's type, configuration and inputs, in file order (Keras writes them topologically).
        record Layer(String name, String type, JsonNode config, List<String> inputs) {
        }
        List<Layer> parsed = new ArrayList<>();
        Map<String, Integer> consumers = new HashMap<>();
        for (JsonNode l : layers) {
            String name = l.path("config").path("name").asText(l.path("name").asText());
            List<String> inputs = new ArrayList<>();
            JsonNode inbound = l.path("inbound_nodes");
            if (inbound.size() > 1) throw new IOException(where + ": layer '" + name + "' is shared between several calls; not supported");
            for (JsonNode in : inbound.path(0)) inputs.add(in.path(0).asText());
            for (String in : inputs) consumers.merge(in, 1, Integer::sum);
            parsed.add(new Layer(name, l.path("class_name").asText(), l.path("config"), inputs));
        }
        String input = config.path("input_layers").path(0).path(0).asText(null);
        String output = config.path("output_layers").path(0).path(0).asText(null);
        if (input == null || output == null || config.path("output_layers").size() != 1) {
            throw new IOException(where + ": expected one input layer and one output layer");
        }

        Map<String, Op> ops = new LinkedHashMap<>();
        Map<String, Layer> byName = new HashMap<>();
        Map<String, Double> radius = new HashMap<>();
        Map<String, Integer> factorAt = new HashMap<>();
        int inputChannels = -1;
        int scale = 1;
        for (Layer l : parsed) {
            byName.put(l.name, l);
            double r = 0;
            int factor = 1;
            for (String in : l.inputs) {
                if (!radius.containsKey(in)) throw new IOException(where + ": layer '" + l.name + "' reads '" + in + "', which comes later or does not exist");
                r = Math.max(r, radius.get(in));
                factor = Math.max(factor, factorAt.get(in));
            }
            Op op;
            switch (l.type) {
                case "InputLayer" -> {
                    JsonNode shape = l.config.path("batch_input_shape");
                    if (shape.isMissingNode()) shape = l.config.path("batch_shape");
                    inputChannels = shape.path(shape.size() - 1).asInt(3);
                    op = new Input(List.of());
                }
                case "Conv2D" -> {
                    Conv2d conv = conv(where, l.name, l.config, weights);
                    r += conv.radius() / (double) factor;
                    op = new Conv(l.inputs, conv);
                }
                case "Activation", "ReLU" -> {
                    String activation = l.type.equals("ReLU") ? "relu" : l.config.path("activation").asText();
                    if (activation.equals("linear")) {
                        op = new Identity(l.inputs);
                    } else if (activation.equals("relu") && (l.config.path("max_value").isMissingNode() || l.config.path("max_value").isNull())) {
                        String src = l.inputs.getFirst();
                        if (ops.get(src) instanceof Conv c && consumers.getOrDefault(src, 0) == 1 && !src.equals(output)) {
                            ops.put(src, new Conv(c.inputs(), c.conv().withRelu()));
                            op = new Identity(l.inputs);
                        } else {
                            op = new Relu(l.inputs);
                        }
                    } else {
                        throw new IOException(where + ": layer '" + l.name + "' has activation '" + activation + "', which this engine does not run");
                    }
                }
                case "Concatenate" -> {
                    int axis = l.config.path("axis").asInt(-1);
                    if (axis != -1 && axis != 3) throw new IOException(where + ": layer '" + l.name + "' concatenates on axis " + axis + "; only channels are supported");
                    op = new Concat(l.inputs);
                }
                case "Add" -> op = new Add(l.inputs);
                case "UpSampling2D" -> {
                    JsonNode size = l.config.path("size");
                    int f = size.path(0).asInt();
                    if (f != size.path(1).asInt() || f < 1) throw new IOException(where + ": layer '" + l.name + "' upsamples unevenly (" + size + ")");
                    if (!"nearest".equals(l.config.path("interpolation").asText("nearest"))) {
                        throw new IOException(where + ": layer '" + l.name + "' uses " + l.config.path("interpolation").asText() + " upsampling; only nearest is supported");
                    }
                    factor *= f;
                    scale *= f;
                    op = new Upsample(l.inputs, f);
                }
                default -> throw new IOException(where + ": layer '" + l.name + "' is a " + l.type + ", which this engine does not run");
            }
            // An upsampling read only by this convolution is done inside it, at the low resolution.
            if (op instanceof Conv c && ops.get(l.inputs.getFirst()) instanceof Upsample up && consumers.getOrDefault(l.inputs.getFirst(), 0) == 1
                    && c.conv().pad == c.conv().radius() && !l.inputs.getFirst().equals(output)) {
                Conv2d.UpsampledConv fused = c.conv().afterUpsampling(up.factor());
                op = new FusedUpConv(up.inputs(), fused);
                ops.put(l.inputs.getFirst(), new Identity(up.inputs()));
                r = radius.get(up.inputs().getFirst()) + fused.radius() / (double) factorAt.get(up.inputs().getFirst());
            }
            ops.put(l.name, op);
            radius.put(l.name, r);
            factorAt.put(l.name, factor);
        }
        // Fused upsamplings became identities nobody reads; drop them from the run order.
        List<String> order = new ArrayList<>();
        Map<String, Integer> readers = new HashMap<>();
        for (Op op : ops.values()) for (String in : op.inputs()) readers.merge(in, 1, Integer::sum);
        for (String name : ops.keySet()) {
            if (name.equals(output) || readers.containsKey(name)) order.add(name);
        }
        if (inputChannels != 3) throw new IOException(where + ": the input has " + inputChannels + " channels; an RGB model (3) is expected");
        return new LayersModel(order, ops, input, output, scale, inputChannels, (int) Math.ceil(radius.get(output)));
    }

    private static Conv2d conv(String where, String name, JsonNode c, Map<String, float[]> weights) throws IOException {
        int k = c.path("kernel_size").path(0).asInt();
        if (k != c.path("kernel_size").path(1).asInt()) throw new IOException(where + ": layer '" + name + "' has a non-square kernel");
        if (c.path("strides").path(0).asInt(1) != 1 || c.path("strides").path(1).asInt(1) != 1) throw new IOException(where + ": layer '" + name + "' has strides; not supported");
        if (c.path("dilation_rate").path(0).asInt(1) != 1 || c.path("dilation_rate").path(1).asInt(1) != 1) throw new IOException(where + ": layer '" + name + "' is dilated; not supported");
        if (!"channels_last".equals(c.path("data_format").asText("channels_last"))) throw new IOException(where + ": layer '" + name + "' is channels_first; not supported");
        String padding = c.path("padding").asText("valid");
        if (!padding.equals("same") && !padding.equals("valid")) throw new IOException(where + ": layer '" + name + "' has padding '" + padding + "'");
        String activation = c.path("activation").asText("linear");
        if (!activation.equals("linear") && !activation.equals("relu")) throw new IOException(where + ": layer '" + name + "' has activation '" + activation + "'");
        int filters = c.path("filters").asInt();
        float[] kernel = weight(weights, name, "kernel", where);
        if (kernel.length % (k * k * filters) != 0) throw new IOException(where + ": layer '" + name + "' kernel has " + kernel.length + " values");
        int cin = kernel.length / (k * k * filters);
        float[] bias = c.path("use_bias").asBoolean(true) ? weight(weights, name, "bias", where) : null;
        return Conv2d.of(kernel, bias, k, cin, filters, padding.equals("same") || k == 1, activation.equals("relu"));
    }

    private static float[] weight(Map<String, float[]> weights, String layer, String kind, String where) throws IOException {
        float[] w = weights.get(layer + "/" + kind);
        if (w != null) return w;
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            if (e.getKey().endsWith("/" + layer + "/" + kind)) return e.getValue();
        }
        throw new IOException(where + ": no weights '" + layer + "/" + kind + "' in the manifest");
    }

    /** Reads every weight of the manifest: each group's shards are one byte stream, consumed in manifest order. */
    private static Map<String, float[]> readWeights(Path modelJson, JsonNode manifest) throws IOException {
        Map<String, float[]> out = new HashMap<>();
        Path dir = modelJson.toAbsolutePath().getParent();
        for (JsonNode group : manifest) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (JsonNode p : group.path("paths")) {
                Path shard = dir.resolve(p.asText()).normalize();
                if (!shard.startsWith(dir)) throw new IOException(modelJson + ": weight shard '" + p.asText() + "' is outside the model's folder");
                bytes.write(Files.readAllBytes(shard));
            }
            ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            for (JsonNode w : group.path("weights")) {
                int count = 1;
                for (JsonNode d : w.path("shape")) count = Math.multiplyExact(count, d.asInt());
                out.put(w.path("name").asText(), values(modelJson, w, buf, count));
            }
        }
        return out;
    }

    private static float[] values(Path modelJson, JsonNode w, ByteBuffer buf, int count) throws IOException {
        String name = w.path("name").asText();
        JsonNode q = w.path("quantization");
        String dtype = q.isMissingNode() ? w.path("dtype").asText("float32") : q.path("dtype").asText();
        float[] v = new float[count];
        try {
            switch (dtype) {
                case "float32" -> {
                    for (int i = 0; i < count; i++) v[i] = buf.getFloat();
                }
                case "float16" -> {
                    for (int i = 0; i < count; i++) v[i] = Float.float16ToFloat(buf.getShort());
                }
                case "uint8", "uint16" -> {
                    float scale = (float) q.path("scale").asDouble();
                    float min = (float) q.path("min").asDouble();
                    for (int i = 0; i < count; i++) {
                        int raw = dtype.equals("uint8") ? buf.get() & 0xff : buf.getShort() & 0xffff;
                        v[i] = raw * scale + min;
                    }
                }
                default -> throw new IOException(modelJson + ": weight '" + name + "' has dtype " + dtype + "; not supported");
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException(modelJson + ": the weight shards end before weight '" + name + "'", e);
        }
        if (!q.isMissingNode() && !"float32".equals(w.path("dtype").asText("float32"))) {
            throw new IOException(modelJson + ": weight '" + name + "' is " + w.path("dtype").asText() + "; only float weights are supported");
        }
        return v;
    }

    /** Runs the network on one RGB tile (values 0–255); returns the upscaled tile in the same range, unclamped. */
    Tensor run(Tensor image, RowPool pool) {
        if (image.channels != inputChannels) throw new IllegalArgumentException("expected " + inputChannels + " channels");
        Map<String, Tensor> values = new HashMap<>();
        values.put(input, image);
        for (int i = 0; i < order.size(); i++) {
            String name = order.get(i);
            Op op = ops.get(name);
            List<String> in = op.inputs();
            Tensor result = switch (op) {
                case Input x -> image;
                case Identity x -> values.get(in.getFirst());
                case Conv c -> c.conv().apply(values.get(in.getFirst()), pool);
                case FusedUpConv f -> f.conv().apply(values.get(in.getFirst()), pool);
                case Relu x -> Tensor.relu(values.get(in.getFirst()));
                case Concat x -> Tensor.concat(in.stream().map(values::get).toArray(Tensor[]::new));
                case Add x -> {
                    Tensor sum = values.get(in.getFirst());
                    for (int j = 1; j < in.size(); j++) sum = Tensor.add(sum, values.get(in.get(j)));
                    yield sum;
                }
                case Upsample u -> Tensor.upsample(values.get(in.getFirst()), u.factor());
            };
            values.put(name, result);
            for (String used : in) {
                if (lastUse.getOrDefault(used, -1) == i && !used.equals(output)) values.remove(used);
            }
        }
        return values.get(output);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "layers-model x%d, %d steps, receptive radius %d px", scale, order.size(), receptiveRadius);
    }
}
