package dev.hearth.workflows.operations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.runners.image.OutputImages;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code image_convert}: re-encodes an image as PNG, JPEG or WebP (lossy, through the webp-imageio encoder that
 * the image models use), with {@code quality} 1–100 for JPEG and WebP. JPEG has no transparency, so a
 * transparent image is laid on white first: dropping the alpha channel instead would show whatever colour the
 * invisible pixels happen to hold (often black).
 */
final class ImageConvert extends BuiltInOperation {

    private final long maxPixels;

    ImageConvert(long maxPixels) {
        super("image_convert", "Convert image format",
                List.of(Port.required("image", PortType.IMAGE)),
                List.of(Port.required("image", PortType.IMAGE)),
                """
                {"$schema": "https://json-schema.org/draft/2020-12/schema",
                 "type": "object",
                 "properties": {
                   "format": {"type": "string", "enum": ["png", "jpeg", "webp"], "description": "The format to write"},
                   "quality": {"type": "integer", "minimum": 1, "maximum": 100, "default": 90, "description": "JPEG and WebP quality; PNG is lossless"}
                 },
                 "required": ["format"],
                 "additionalProperties": false}
                """);
        this.maxPixels = maxPixels;
    }

    @Override
    Map<String, Value> apply(Map<String, Value> inputs, ObjectNode params) throws OperationFailure {
        BufferedImage src = ImageValues.decode(inputs.get("image"), "image", maxPixels);
        OutputImages.Format format = switch (params.get("format").textValue().toLowerCase(Locale.ROOT)) {
            case "jpeg" -> OutputImages.Format.JPEG;
            case "webp" -> OutputImages.Format.WEBP;
            default -> OutputImages.Format.PNG;
        };
        int quality = params.path("quality").asInt(90);
        BufferedImage toWrite = src;
        if (format == OutputImages.Format.JPEG && ImageValues.hasAlpha(src)) {
            toWrite = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
            Graphics2D g = toWrite.createGraphics();
            try {
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, src.getWidth(), src.getHeight());
                g.drawImage(src, 0, 0, null);
            } finally {
                g.dispose();
            }
        }
        return Map.of("image", ImageValues.encode(toWrite, format, quality));
    }
}
