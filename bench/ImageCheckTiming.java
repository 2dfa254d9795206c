import java.lang.reflect.Method;

/** Time of the content check (sniff + full decode into a subsampled raster) that every uploaded or input image passes. */
public class ImageCheckTiming {
    public static void main(String[] a) throws Exception {
        Class<?> images = Class.forName("dev.hearth.storage.TestImages");
        Class<?> check = Class.forName("dev.hearth.storage.ContentCheck");
        Method inspect = check.getDeclaredMethod("inspect", byte[].class, String.class, long.class);
        inspect.setAccessible(true);
        for (String fmt : new String[]{"png", "jpg"}) {
            for (int[] wh : new int[][]{{1024, 1024}, {4000, 3000}}) {
                byte[] b = (byte[]) images.getMethod("encode", String.class, int.class, int.class).invoke(null, fmt, wh[0], wh[1]);
                for (int i = 0; i < 3; i++) inspect.invoke(null, b, null, 100_000_000L);   // warm-up
                int n = 10;
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) inspect.invoke(null, b, null, 100_000_000L);
                double ms = (System.nanoTime() - t0) / 1e6 / n;
                System.out.printf("%s %dx%d (%d KB): %.1f ms per check%n", fmt, wh[0], wh[1], b.length / 1024, ms);
            }
        }
    }
}
