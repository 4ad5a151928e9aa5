"""Writes the PIL reference images the vision bundle's tests compare against (run with the
system python3 and Pillow; the outputs are committed under src/test/resources/pil).

  source.png             61x37 RGB: gradients, a checkerboard and noise (aliasing shows up)
  resize_WxH.png         PIL's source.resize((W, H), Image.BILINEAR) for down-, up- and mixed scaling
  gray.png / palette.png / rgba.png / la.png / gray.jpg / rgb.jpg
                         images of other colour types; <name>.expected.png is PIL's convert("RGB")
"""
import os
import random
import sys

from PIL import Image

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "resources", "pil")
os.makedirs(OUT, exist_ok=True)
rnd = random.Random(7)

W, H = 61, 37
src = Image.new("RGB", (W, H))
px = src.load()
for y in range(H):
    for x in range(W):
        checker = 255 if ((x // 3) + (y // 2)) % 2 else 0
        r = (x * 255) // (W - 1)
        g = (y * 255) // (H - 1)
        b = checker
        if x > 40:  # a noisy block: the antialiasing filter matters most here
            r, g, b = rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)
        px[x, y] = (r, g, b)
src.save(os.path.join(OUT, "source.png"))

# down (2.65x), up (2.5x), letterbox to 32 (32 x round(37*32/61)), mixed (down in x, up in y), 1-pixel
for size in [(23, 14), (150, 91), (32, 19), (40, 50), (1, 1), (7, 100)]:
    src.resize(size, Image.BILINEAR).save(os.path.join(OUT, "resize_%dx%d.png" % size))


def save_with_expected(img, name, **kw):
    path = os.path.join(OUT, name)
    img.save(path, **kw)
    Image.open(path).convert("RGB").save(os.path.join(OUT, name + ".expected.png"))


save_with_expected(src.convert("L"), "gray.png")
save_with_expected(src.convert("P", palette=Image.ADAPTIVE, colors=16), "palette.png")
rgba = src.copy()
rgba.putalpha(Image.linear_gradient("L").resize((W, H)))
save_with_expected(rgba, "rgba.png")
save_with_expected(rgba.convert("LA"), "la.png")
save_with_expected(src.convert("L"), "gray.jpg", quality=90)
save_with_expected(src, "rgb.jpg", quality=90)
print("wrote", sorted(os.listdir(OUT)))
