package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/**
 * {@code image_resize}: scales an image to {@code width}×{@code height}. Give one of them to keep the aspect
 * ratio; give both and {@code fit} says what happens when the aspect differs: {@code fill} (default) stretches to
 * exactly that size, {@code inside} keeps the aspect and fits within the box (one side may come out smaller),
 * {@code cover} keeps the aspect, fills the box and crops the overflow evenly from both sides.
 *
 * <p>Downscaling halves the image step by step (each step averages 2×2 pixels) before a last bicubic step to the
 * exact size: a single bicubic step from far above the target samples only a few source pixels per output pixel
 * and aliases. Pixels are scaled premultiplied by alpha, so transparent pixels do not bleed their hidden colour
 * into the edges of what is visible. The result is PNG (chain {@code image_convert} for JPEG or WebP).
 */
final class ImageResize extends BuiltInOperation {

    private final long maxPixels;

    ImageResize(long maxPixels) {
        super("image_resize", "Resize image",
                List.of(Port.required("image", PortType.IMAGE)),
                List.of(Port.required("image", PortType.IMAGE)),
                """
                {"$schema": "https://json-schema.org/draft/2020-12/schema",
                 "type": "object",
                 "properties": {
                   "width": {"type": "integer", "minimum": 1, "maximum": 8192, "description": "Width in pixels; leave out to keep the aspect ratio from height"},
                   "height": {"type": "integer", "minimum": 1, "maximum": 8192, "description": "Height in pixels; leave out to keep the aspect ratio from width"},
                   "fit": {"type": "string", "enum": ["fill", "inside", "cover"], "default": "fill",
                     "description": "With both width and height: fill stretches to exactly that size, inside keeps the aspect within it, cover keeps the aspect and crops to it"}
                 },
                 "anyOf": [{"required": ["width"]}, {"required": ["height"]}],
                 "additionalProperties": false}
                """);
        this.maxPixels = maxPixels;
    }

    @Override
    Map<String, Value> apply(Map<String, Value> inputs, ObjectNode params) throws OperationFailure {
        BufferedImage src = ImageValues.decode(inputs.get("image"), "image", maxPixels);
        int sw = src.getWidth();
        int sh = src.getHeight();
        Integer width = params.has("width") ? params.get("width").intValue() : null;
        Integer height = params.has("height") ? params.get("height").intValue() : null;
        String fit = params.path("fit").asText("fill");

        int w;
        int h;
        boolean crop = false;
        if (width == null || height == null) {
            w = width != null ? width : proportional(sw, height, sh);
            h = height != null ? height : proportional(sh, width, sw);
        } else if (fit.equals("fill")) {
            w = width;
            h = height;
        } else {
            double scaleW = (double) width / sw;
            double scaleH = (double) height / sh;
            double scale = fit.equals("inside") ? Math.min(scaleW, scaleH) : Math.max(scaleW, scaleH);
            w = Math.max(1, (int) Math.round(sw * scale));
            h = Math.max(1, (int) Math.round(sh * scale));
            // cover: both sides reach the box; rounding may leave one a pixel short, so clamp up to it
            if (fit.equals("cover")) {
                w = Math.max(w, width);
                h = Math.max(h, height);
                crop = true;
            } else {
                w = Math.min(w, width);
                h = Math.min(h, height);
            }
        }
        ImageValues.checkSize(w, h, maxPixels, "the resized image");
        BufferedImage scaled = scale(src, w, h);
        if (crop) {
            scaled = ImageValues.copy(scaled.getSubimage((w - width) / 2, (h - height) / 2, width, height), scaled.getType());
        }
        return Map.of("image", ImageValues.png(scaled));
    }

    /** The side that keeps the aspect ratio: {@code side} scaled as {@code given}/{@code givenFrom}, at least 1 and at most 8192. */
    private static int proportional(int side, int given, int givenFrom) throws OperationFailure {
        long v = Math.max(1, Math.round((double) side * given / givenFrom));
        if (v > 8192) {
            throw new OperationFailure("keeping the aspect ratio makes the other side " + v + " pixels, more than 8192: give both width and height");
        }
        return (int) v;
    }

    static BufferedImage scale(BufferedImage src, int w, int h) {
        boolean alpha = ImageValues.hasAlpha(src);
        int work = alpha ? BufferedImage.TYPE_INT_ARGB_PRE : BufferedImage.TYPE_INT_RGB;
        BufferedImage cur = src;
        int cw = src.getWidth();
        int ch = src.getHeight();
        while (true) {
            int nw = cw / 2 >= w ? cw / 2 : cw;
            int nh = ch / 2 >= h ? ch / 2 : ch;
            if (nw == cw && nh == ch) break;
            cur = ImageValues.draw(cur, nw, nh, work, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            cw = nw;
            ch = nh;
        }
        BufferedImage sized = ImageValues.draw(cur, w, h, work, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        return alpha ? ImageValues.copy(sized, BufferedImage.TYPE_INT_ARGB) : sized;
    }
}
