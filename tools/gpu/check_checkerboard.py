import sys, torch, numpy as np
from PIL import Image
from textcodec.checkpoint import load_release
from textcodec.nets.hyperprior import pad_to_multiple
g, _ = load_release(sys.argv[1], "cuda"); c, _ = load_release(sys.argv[1], "cpu")
img = np.asarray(Image.open("textcodec/samples/screenshot.png").convert("RGB"))
x = pad_to_multiple(torch.from_numpy(img.copy()).permute(2,0,1)[None].float()/255)
for q in (0.0, 3.0, 6.5, 10.0):
    s = g.compress_latent(g.analysis(x.cuda()), q)
    shape = (x.shape[-2]//64, x.shape[-1]//64)
    a = g.decompress_latent(s, shape, q).cpu(); b = c.decompress_latent(s, shape, q)
    print("q", q, "bytes", sum(map(len, s)), "equal", torch.equal(a, b), flush=True)
