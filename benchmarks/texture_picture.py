#!/usr/bin/env python
"""The picture `images/gallery/video_texture.jpg`: frame 30 of a 32-frame occlusion clip over the cat, painted by a
shipped network in one style frame by frame, with the plain mix (`--blend linear`, 0.8.0) and keeping the texture
(`--blend texture`, 0.9.0), a 288 x 192 px crop of each side by side; it prints each clip's warping error.

    python benchmarks/texture_picture.py course gravel images/gallery/video_texture.jpg
"""
import os, sys, tempfile
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
import numpy as np
from pathlib import Path
from PIL import Image, ImageDraw
from nst_nb.images import open_image
from nst_nb.video import occlusion_clip, write_clip, read_frames
from nst_nb.video_run import NetworkEngine, VideoConfig, stylise_clip
from nst_nb.train_settings import network_info, network_settings
from common import ROOT
d = Path(tempfile.mkdtemp())
cat = np.asarray(open_image(ROOT / 'images/content/chelsea.jpg'))
clip = write_clip(occlusion_clip(cat, 32, (256, 384), (0, 3), radius=40), d / 'occ.mp4')
model, style = sys.argv[1], sys.argv[2]
s = network_settings(network_info(model)); pics = []
for name, cfg in (('frame by frame', VideoConfig(keep=0)), ('plain mix (0.8.0)', VideoConfig(blend='linear', colours='mixed')), ('keeping texture (0.9.0)', VideoConfig(blend='texture', colours='mixed'))):
    out = d / f'{cfg.blend}_{cfg.keep}.mp4'
    side = stylise_clip(clip, out, NetworkEngine(model, style, s, cfg), cfg, progress=False)
    f = list(read_frames(out))[30]
    im = Image.fromarray(f[40:232, 60:348]); ImageDraw.Draw(im).text((6, 4), name, fill='white')
    pics.append(im); print(name, side['flicker']['warping_error'])
strip = Image.new('RGB', (sum(p.width for p in pics) + 8 * (len(pics) - 1), pics[0].height), 'white')
x = 0
for p in pics: strip.paste(p, (x, 0)); x += p.width + 8
strip.save(sys.argv[3], quality=82); print(os.path.getsize(sys.argv[3]) // 1024, 'KB')
