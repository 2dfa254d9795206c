package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/**
 * {@code image_composite}: lays {@code overlay} over {@code base} with its top-left corner at ({@code x},
 * {@code y}), Porter–Duff source-over: each result pixel is overlay·α + base·(1 − α), where α is the overlay
 * pixel's alpha times {@code opacity}. The result has the base's size (the overlay may hang over an edge, or
 * start left of or above it with negative x / y, and is clipped) and is PNG with alpha.
 */
final class ImageComposite extends BuiltInOperation {

    private final long maxPixels;

    ImageComposite(long maxPixels) {
        super("image_composite", "Composite images",
                List.of(Port.required("base", PortType.IMAGE), Port.required("overlay", PortType.IMAGE)),
                List.of(Port.required("image", PortType.IMAGE)),
                """
                {"$schema": "https://json-schema.org/draft/2020-12/schema",
                 "type": "object",
                 "properties": {
                   "x": {"type": "integer", "minimum": -8192, "maximum": 8192, "default": 0, "description": "Where the overlay's left edge goes on the base, in pixels"},
                   "y": {"type": "integer", "minimum": -8192, "maximum": 8192, "default": 0, "description": "Where the overlay's top edge goes on the base, in pixels"},
                   "opacity": {"type": "number", "minimum": 0, "maximum": 1, "default": 1, "description": "Multiplies the overlay's alpha: 1 as it is, 0 invisible"}
                 },
                 "additionalProperties": false}
                """);
        this.maxPixels = maxPixels;
    }

    @Override
    Map<String, Value> apply(Map<String, Value> inputs, ObjectNode params) throws OperationFailure {
        BufferedImage base = ImageValues.decode(inputs.get("base"), "base", maxPixels);
        BufferedImage overlay = ImageValues.decode(inputs.get("overlay"), "overlay", maxPixels);
        int x = params.path("x").asInt(0);
        int y = params.path("y").asInt(0);
        float opacity = (float) params.path("opacity").asDouble(1);
        BufferedImage out = ImageValues.copy(base, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setComposite(AlphaComposite.SrcOver.derive(opacity));
            g.drawImage(overlay, x, y, null);
        } finally {
            g.dispose();
        }
        return Map.of("image", ImageValues.png(out));
    }
}
