package dev.hearth.runners.vision.tensorflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A TF.js graph model ({@code model.json} + {@code *.bin} weight shards) turned back into a TensorFlow
 * {@code GraphDef}. The json's {@code modelTopology} is a GraphDef in proto3 JSON whose {@code Const} nodes lack
 * their values: those are in the shards, described by {@code weightsManifest} (name, shape, dtype, and an optional
 * quantisation to float16 or uint8/uint16 that is undone here). The TF.js converter also leaves three things that
 * TensorFlow itself rejects, repaired here: {@code FusedDepthwiseConv2dNative} (TensorFlow's op is
 * {@code _FusedDepthwiseConv2dNative}, without Conv2D's {@code explicit_paddings}), {@code _Fused*} ops without
 * their {@code num_args}/{@code TArgs} attrs, and int64 type attrs whose tensors the converter already narrowed to
 * int32. Runs inside TensorFlow's class loader (it needs the runtime's protobuf classes).
 */
record TfjsGraph(GraphDef graph, String input, int[] inputShape) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static TfjsGraph load(Path modelJson) throws IOException {
        JsonNode model = JSON.readTree(modelJson.toFile());
        JsonNode topology = model.path("modelTopology");
        if (!topology.has("node")) throw new IOException("not a TF.js graph model (no modelTopology.node)");
        GraphDef.Builder graph = GraphDef.newBuilder();
        merge(topology, graph);

        Map<String, NodeDef.Builder> nodes = new HashMap<>();
        for (NodeDef.Builder node : graph.getNodeBuilderList()) {
            nodes.put(node.getName(), node);
            repair(node);
        }
        Path folder = modelJson.toAbsolutePath().getParent();
        for (JsonNode group : model.path("weightsManifest")) {
            ByteArrayOutputStream shards = new ByteArrayOutputStream();
            for (JsonNode p : group.path("paths")) shards.write(Files.readAllBytes(folder.resolve(p.asText()).normalize()));
            ByteBuffer data = ByteBuffer.wrap(shards.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            for (JsonNode w : group.path("weights")) {
                String name = w.path("name").asText();
                TensorProto value = weight(w, data);
                NodeDef.Builder node = nodes.get(name);
                if (node == null) continue; // a weight no node reads
                node.putAttr("value", AttrValue.newBuilder().setTensor(value).build());
                node.putAttr("dtype", AttrValue.newBuilder().setType(value.getDtype()).build());
            }
        }

        for (NodeDef.Builder node : graph.getNodeBuilderList()) {
            if (node.getOp().equals("Placeholder")) {
                TensorShapeProto shape = node.getAttrOrThrow("shape").getShape();
                int[] dims = new int[shape.getDimCount()];
                for (int i = 0; i < dims.length; i++) dims[i] = Math.toIntExact(shape.getDim(i).getSize());
                return new TfjsGraph(graph.build(), node.getName(), dims);
            }
        }
        throw new IOException("the graph has no Placeholder input");
    }

    /** The TF.js-isms TensorFlow's importer refuses. */
    private static void repair(NodeDef.Builder node) {
        node.clearDevice();
        if (node.getOp().equals("FusedDepthwiseConv2dNative")) {
            node.setOp("_FusedDepthwiseConv2dNative");
            // copied from the plain Conv2D by the converter; TensorFlow would log every unknown attr as an error
            node.removeAttr("explicit_paddings");
        }
        if (node.getOp().startsWith("_Fused")) {
            // _FusedConv2D(input, filter, args...): the args are the inputs after the first two (bias, ...).
            int args = (int) node.getInputList().stream().filter(i -> !i.startsWith("^")).count() - 2;
            if (!node.containsAttr("num_args")) node.putAttr("num_args", AttrValue.newBuilder().setI(args).build());
            // _FusedConv2D types its args by a TArgs list (the depthwise one reuses T): one entry per arg.
            if (node.getOp().equals("_FusedConv2D") && !node.containsAttr("TArgs") && node.containsAttr("T")) {
                AttrValue.ListValue.Builder types = AttrValue.ListValue.newBuilder();
                for (int i = 0; i < node.getAttrOrThrow("num_args").getI(); i++) types.addType(node.getAttrOrThrow("T").getType());
                node.putAttr("TArgs", AttrValue.newBuilder().setList(types).build());
            }
        }
        for (Map.Entry<String, AttrValue> a : Map.copyOf(node.getAttrMap()).entrySet()) {
            if (a.getValue().getType() == DataType.DT_INT64) {
                node.putAttr(a.getKey(), AttrValue.newBuilder().setType(DataType.DT_INT32).build());
            }
        }
    }

    /** One weight from the shards, read at the buffer's position (which moves past it), as a float32/int32 tensor. */
    private static TensorProto weight(JsonNode w, ByteBuffer data) throws IOException {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        long count = 1;
        for (JsonNode d : w.path("shape")) {
            shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d.asLong()));
            count *= d.asLong();
        }
        String dtype = w.path("dtype").asText();
        JsonNode q = w.path("quantization");
        String stored = q.isMissingNode() ? dtype : q.path("dtype").asText();
        int n = Math.toIntExact(count);
        ByteBuffer out = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        DataType type;
        switch (dtype) {
            case "float32" -> type = DataType.DT_FLOAT;
            case "int32" -> type = DataType.DT_INT32;
            case "bool" -> type = DataType.DT_BOOL;
            default -> throw new IOException("weight " + w.path("name").asText() + ": dtype " + dtype + " is not supported");
        }
        double scale = q.path("scale").asDouble(1), min = q.path("min").asDouble(0);
        for (int i = 0; i < n; i++) {
            double v = switch (stored) {
                case "float32" -> data.getFloat();
                case "int32" -> data.getInt();
                case "bool" -> data.get();
                case "float16" -> Float.float16ToFloat(data.getShort());
                case "uint8" -> (data.get() & 0xff) * scale + min;
                case "uint16" -> (data.getShort() & 0xffff) * scale + min;
                default -> throw new IOException("weight " + w.path("name").asText() + ": quantisation " + stored + " is not supported");
            };
            if (type == DataType.DT_FLOAT) out.putFloat((float) v);
            else if (type == DataType.DT_INT32) out.putInt((int) Math.round(v));
            else out.put((byte) (v != 0 ? 1 : 0));
        }
        out.flip();
        return TensorProto.newBuilder().setDtype(type).setTensorShape(shape).setTensorContent(ByteString.copyFrom(out)).build();
    }

    /**
     * Merges proto3 JSON into a message builder, field by field through the message's descriptor (what protobuf's
     * JsonFormat does, without its extra jars): int64 as strings, bytes as base64, enums by name, maps as objects.
     */
    static void merge(JsonNode json, Message.Builder builder) throws IOException {
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            FieldDescriptor f = field(builder, e.getKey());
            if (f == null) throw new IOException("unknown field '" + e.getKey() + "' in " + builder.getDescriptorForType().getFullName());
            JsonNode v = e.getValue();
            if (f.isMapField()) {
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = m.next();
                    Message.Builder pair = builder.newBuilderForField(f);
                    FieldDescriptor key = pair.getDescriptorForType().findFieldByNumber(1);
                    FieldDescriptor value = pair.getDescriptorForType().findFieldByNumber(2);
                    pair.setField(key, scalar(key, JSON.getNodeFactory().textNode(entry.getKey()), pair));
                    pair.setField(value, scalar(value, entry.getValue(), pair));
                    builder.addRepeatedField(f, pair.build());
                }
            } else if (f.isRepeated()) {
                for (JsonNode item : v) builder.addRepeatedField(f, scalar(f, item, builder));
            } else {
                builder.setField(f, scalar(f, v, builder));
            }
        }
    }

    private static FieldDescriptor field(Message.Builder builder, String name) {
        for (FieldDescriptor f : builder.getDescriptorForType().getFields()) {
            if (f.getJsonName().equals(name) || f.getName().equals(name)) return f;
        }
        return null;
    }

    private static Object scalar(FieldDescriptor f, JsonNode v, Message.Builder parent) throws IOException {
        return switch (f.getJavaType()) {
            case MESSAGE -> {
                Message.Builder sub = parent.newBuilderForField(f);
                merge(v, sub);
                yield sub.build();
            }
            case ENUM -> v.isNumber() ? f.getEnumType().findValueByNumber(v.asInt()) : f.getEnumType().findValueByName(v.asText());
            case LONG -> Long.parseLong(v.asText());
            case INT -> Integer.parseInt(v.asText());
            case FLOAT -> v.isNumber() ? v.floatValue() : Float.parseFloat(v.asText());
            case DOUBLE -> v.isNumber() ? v.doubleValue() : Double.parseDouble(v.asText());
            case BOOLEAN -> v.asBoolean();
            case STRING -> v.asText();
            case BYTE_STRING -> ByteString.copyFrom(Base64.getDecoder().decode(v.asText()));
        };
    }
}
