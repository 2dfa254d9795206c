package dev.hearth.runners.vision.tensorflow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TF.js → GraphDef conversion on a small hand-written graph model in the converter's format (the real CenterNet
 * runs in ObjectDetectionTest): the proto3 JSON read (int64 as strings, bytes as base64, maps), weights spliced into
 * their Const nodes with float16 and uint8 quantisation undone, and the three TF.js-isms repaired.
 */
class TfjsGraphTest {

    static final String MODEL = """
            {"format": "graph-model", "modelTopology": {"node": [
              {"name": "x", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"},
                 "shape": {"shape": {"dim": [{"size": "1"}, {"size": "4"}, {"size": "4"}, {"size": "3"}]}}}},
              {"name": "w16", "op": "Const", "device": "/device:CPU:0", "attr": {"dtype": {"type": "DT_FLOAT"}, "value": {"tensor": {"dtype": "DT_FLOAT", "tensorShape": {"dim": [{"size": "2"}]}}}}},
              {"name": "w8", "op": "Const", "attr": {"dtype": {"type": "DT_FLOAT"}, "value": {"tensor": {"dtype": "DT_FLOAT", "tensorShape": {"dim": [{"size": "1"}]}}}}},
              {"name": "k", "op": "Const", "attr": {"dtype": {"type": "DT_INT32"}, "value": {"tensor": {"dtype": "DT_INT32", "tensorShape": {}}}}},
              {"name": "dw", "op": "FusedDepthwiseConv2dNative", "input": ["x", "w16", "w8"], "attr": {"T": {"type": "DT_FLOAT"},
                 "padding": {"s": "U0FNRQ=="}, "explicit_paddings": {"list": {}}, "strides": {"list": {"i": ["1", "1", "1", "1"]}}}},
              {"name": "conv", "op": "_FusedConv2D", "input": ["dw", "w16", "w8", "^k"], "attr": {"T": {"type": "DT_FLOAT"}, "epsilon": {"f": 0}}},
              {"name": "top", "op": "TopKV2", "input": ["conv", "k"], "attr": {"sorted": {"b": true}, "index_type": {"type": "DT_INT64"}}}
            ], "library": {}, "versions": {"producer": 440}},
             "weightsManifest": [{"paths": ["model.bin"], "weights": [
              {"name": "w16", "shape": [2], "dtype": "float32", "quantization": {"dtype": "float16", "original_dtype": "float32"}},
              {"name": "w8", "shape": [1], "dtype": "float32", "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1}},
              {"name": "k", "shape": [], "dtype": "int32"}]}]}
            """;

    static NodeDef node(GraphDef g, String name) {
        return g.getNodeList().stream().filter(n -> n.getName().equals(name)).findFirst().orElseThrow();
    }

    static float[] floats(TensorProto t) {
        ByteBuffer b = t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        for (int i = 0; i < f.length; i++) f[i] = b.getFloat();
        return f;
    }

    @Test
    void weightsAreDequantisedIntoTheirConstNodesAndTheGraphIsRepaired(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("model.json"), MODEL);
        ByteBuffer bin = ByteBuffer.allocate(2 * 2 + 1 + 4).order(ByteOrder.LITTLE_ENDIAN);
        bin.putShort((short) 0x3E00).putShort((short) 0xC000); // float16 1.5 and -2.0
        bin.put((byte) 10);                                     // uint8 10 → 10 × 0.5 − 1 = 4.0
        bin.putInt(7);                                          // int32 7
        Files.write(dir.resolve("model.bin"), bin.array());

        TfjsGraph model = TfjsGraph.load(dir.resolve("model.json"));
        GraphDef g = model.graph();
        assertThat(model.input()).isEqualTo("x");
        assertThat(model.inputShape()).containsExactly(1, 4, 4, 3);
        assertThat(g.getVersions().getProducer()).isEqualTo(440);

        TensorProto w16 = node(g, "w16").getAttrOrThrow("value").getTensor();
        assertThat(w16.getDtype()).isEqualTo(DataType.DT_FLOAT);
        assertThat(w16.getTensorShape().getDim(0).getSize()).isEqualTo(2);
        assertThat(floats(w16)).containsExactly(1.5f, -2.0f);
        assertThat(floats(node(g, "w8").getAttrOrThrow("value").getTensor())).containsExactly(4.0f);
        TensorProto k = node(g, "k").getAttrOrThrow("value").getTensor();
        assertThat(k.getDtype()).isEqualTo(DataType.DT_INT32);
        assertThat(k.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(7);
        assertThat(node(g, "w16").getDevice()).isEmpty();

        NodeDef dw = node(g, "dw");
        assertThat(dw.getOp()).isEqualTo("_FusedDepthwiseConv2dNative");
        assertThat(dw.containsAttr("explicit_paddings")).isFalse();
        assertThat(dw.getAttrOrThrow("num_args").getI()).isEqualTo(1);
        assertThat(dw.containsAttr("TArgs")).isFalse();
        assertThat(dw.getAttrOrThrow("padding").getS().toStringUtf8()).isEqualTo("SAME");
        assertThat(dw.getAttrOrThrow("strides").getList().getIList()).containsExactly(1L, 1L, 1L, 1L);

        NodeDef conv = node(g, "conv");
        // the control input (^k) is not an argument
        assertThat(conv.getAttrOrThrow("num_args").getI()).isEqualTo(1);
        assertThat(conv.getAttrOrThrow("TArgs").getList().getTypeList()).containsExactly(DataType.DT_FLOAT);

        assertThat(node(g, "top").getAttrOrThrow("index_type").getType()).isEqualTo(DataType.DT_INT32);
        assertThat(node(g, "top").getAttrOrThrow("sorted").getB()).isTrue();
    }
}
