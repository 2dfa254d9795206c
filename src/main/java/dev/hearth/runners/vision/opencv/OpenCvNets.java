package dev.hearth.runners.vision.opencv;

import dev.hearth.runners.vision.VisionNet;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.dnn.Dnn;
import org.opencv.dnn.Net;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenCV's DNN module (from the {@code org.openpnp:opencv} jar in the artifact cache, natives inside) running
 * TensorFlow Lite models. Loaded only by {@code RuntimeClassLoader}; never name this class in code that Hearth's
 * own loader runs.
 */
public final class OpenCvNets implements VisionNet.Loader {

    public OpenCvNets() {
        // Extracts the platform's libopencv_java to a temporary folder and loads it into this class loader.
        nu.pattern.OpenCV.loadLocally();
    }

    @Override
    public VisionNet tflite(Path model) {
        Net net = Dnn.readNetFromTFLite(model.toString());
        if (net.empty()) throw new IllegalArgumentException("OpenCV could not read the TFLite model " + model);
        return new OpenCvNet(net);
    }

    private record OpenCvNet(Net net) implements VisionNet {
        @Override
        public Map<String, float[]> forward(float[] nchw, int channels, int height, int width) {
            Mat blob = new Mat(new int[]{1, channels, height, width}, CvType.CV_32F);
            Map<String, float[]> outputs = new LinkedHashMap<>();
            List<Mat> results = new ArrayList<>();
            try {
                blob.put(new int[]{0, 0, 0, 0}, nchw);
                List<String> names = net.getUnconnectedOutLayersNames();
                synchronized (this) {
                    net.setInput(blob);
                    net.forward(results, names);
                }
                for (int i = 0; i < names.size(); i++) {
                    Mat m = results.get(i);
                    float[] values = new float[(int) m.total()];
                    m.get(new int[m.dims()], values);
                    outputs.put(names.get(i), values);
                }
                return outputs;
            } finally {
                blob.release();
                results.forEach(Mat::release);
            }
        }
    }
}
