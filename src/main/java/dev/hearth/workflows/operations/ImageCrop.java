package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/**
 * {@code image_crop}: the {@code width}×{@code height} rectangle whose top-left corner is at ({@code x},
 * {@code y}), pixels unchanged, as PNG. A rectangle reaching outside the image fails the step rather than being
 * silently clipped: the next step would get a smaller image than the graph was built for.
 */
final class ImageCrop extends BuiltInOperation {

    private final long maxPixels;

    ImageCrop(long maxPixels) {
        super("image_crop", "Crop image",
                List.of(Port.required("image", PortType.IMAGE)),
                List.of(Port.required("image", PortType.IMAGE)),
                """
                {"$schema": "https://json-schema.org/draft/2020-12/schema",
                 "type": "object",
                 "properties": {
                   "x": {"type": "integer", "minimum": 0, "maximum": 65535, "default": 0, "description": "Left edge of the rectangle, in pixels from the left"},
                   "y": {"type": "integer", "minimum": 0, "maximum": 65535, "default": 0, "description": "Top edge of the rectangle, in pixels from the top"},
                   "width": {"type": "integer", "minimum": 1, "maximum": 8192, "description": "Width of the rectangle in pixels"},
                   "height": {"type": "integer", "minimum": 1, "maximum": 8192, "description": "Height of the rectangle in pixels"}
                 },
                 "required": ["width", "height"],
                 "additionalProperties": false}
                """);
        this.maxPixels = maxPixels;
    }

    @Override
    Map<String, Value> apply(Map<String, Value> inputs, ObjectNode params) throws OperationFailure {
        BufferedImage src = ImageValues.decode(inputs.get("image"), "image", maxPixels);
        int x = params.path("x").asInt(0);
        int y = params.path("y").asInt(0);
        int w = params.get("width").intValue();
        int h = params.get("height").intValue();
        if ((long) x + w > src.getWidth() || (long) y + h > src.getHeight()) {
            throw new OperationFailure("the crop rectangle x=" + x + " y=" + y + " width=" + w + " height=" + h + " reaches outside the "
                    + src.getWidth() + "×" + src.getHeight() + " image");
        }
        int type = ImageValues.hasAlpha(src) ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
        BufferedImage out = ImageValues.copy(src.getSubimage(x, y, w, h), type);
        return Map.of("image", ImageValues.png(out));
    }
}
