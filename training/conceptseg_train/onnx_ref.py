"""A tiny NumPy interpreter for the ONNX op set the exporter emits (there is no onnxruntime for
Python here). It follows the ONNX operator specs, not torch, so running the exported graphs with it
and comparing with the fixtures checks what ONNX Runtime will compute in the Java tests.

Supports exactly the ops our stages use; anything else raises NotImplementedError.
"""
from __future__ import annotations

from typing import Dict, List, Mapping

import numpy as np
from scipy.special import erf as _erf


def _attrs(node) -> Dict[str, object]:
    import onnx.helper
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _conv(x, w, b, strides, pads, dilations, group):
    if group != 1 or any(d != 1 for d in dilations):
        raise NotImplementedError("conv group/dilation")
    n, c, h, wd = x.shape
    co, ci, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    sh, sw = strides
    oh = (x.shape[2] - kh) // sh + 1
    ow = (x.shape[3] - kw) // sw + 1
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = x[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    out = np.einsum("nckluv,ockl->nouv", cols, w, optimize=True)
    if b is not None:
        out = out + b[None, :, None, None]
    return out.astype(np.float32)


def _grid_sample(x, grid, align_corners, mode, padding_mode):
    if mode not in ("bilinear", b"bilinear") or padding_mode not in ("zeros", b"zeros"):
        raise NotImplementedError("grid_sample mode")
    n, c, h, w = x.shape
    gx, gy = grid[..., 0], grid[..., 1]                    # [N, Ho, Wo]
    if align_corners:
        ix, iy = (gx + 1) / 2 * (w - 1), (gy + 1) / 2 * (h - 1)
    else:
        ix, iy = ((gx + 1) * w - 1) / 2, ((gy + 1) * h - 1) / 2
    x0, y0 = np.floor(ix).astype(np.int64), np.floor(iy).astype(np.int64)
    out = np.zeros((n, c) + gx.shape[1:], dtype=np.float64)
    for dy in (0, 1):
        for dx in (0, 1):
            xx, yy = x0 + dx, y0 + dy
            wgt = (1 - np.abs(ix - xx)) * (1 - np.abs(iy - yy))
            valid = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)
            xc, yc = np.clip(xx, 0, w - 1), np.clip(yy, 0, h - 1)
            for b in range(n):
                v = x[b][:, yc[b], xc[b]]                    # [C, Ho, Wo]
                out[b] += v * (wgt[b] * valid[b])[None]
    return out.astype(np.float32)


def _resize(x, scales, sizes, a):
    mode = a.get("mode", b"nearest")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    ctm = a.get("coordinate_transformation_mode", b"half_pixel")
    ctm = ctm.decode() if isinstance(ctm, bytes) else ctm
    nm = a.get("nearest_mode", b"round_prefer_floor")
    nm = nm.decode() if isinstance(nm, bytes) else nm
    if mode != "nearest" or ctm != "asymmetric" or nm != "floor":
        raise NotImplementedError(f"resize {mode}/{ctm}/{nm}")
    if sizes is None or sizes.size == 0:
        sizes = np.floor(np.array(x.shape) * scales).astype(np.int64)
        scl = scales
    else:
        scl = np.array(sizes) / np.array(x.shape)
    out = x
    for ax in range(x.ndim):
        if sizes[ax] != x.shape[ax]:
            idx = np.floor(np.arange(sizes[ax]) / scl[ax]).astype(np.int64)
            out = np.take(out, np.minimum(idx, x.shape[ax] - 1), axis=ax)
    return out


def _layer_norm(x, scale, bias, axis, eps):
    axes = tuple(range(axis % x.ndim, x.ndim))
    xd = x.astype(np.float64)
    mean = xd.mean(axis=axes, keepdims=True)
    var = ((xd - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (xd - mean) / np.sqrt(var + eps) * scale
    if bias is not None:
        y = y + bias
    return y.astype(np.float32)


def run(model, feeds: Mapping[str, np.ndarray]) -> List[np.ndarray]:
    """Run an onnx.ModelProto on NumPy inputs; returns the graph outputs in order."""
    from onnx import numpy_helper
    env: Dict[str, np.ndarray] = {}
    for init in model.graph.initializer:
        env[init.name] = numpy_helper.to_array(init)
    env.update({k: np.asarray(v) for k, v in feeds.items()})
    env[""] = None
    for node in model.graph.node:
        a = _attrs(node)
        i = [env[n] if n in env else None for n in node.input]
        op = node.op_type
        if op == "Constant":
            r = numpy_helper.to_array(a["value"])
        elif op == "Identity":
            r = i[0]
        elif op in ("Add", "Sub", "Mul", "Div"):
            f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide}[op]
            r = f(i[0], i[1])
            if i[0].dtype.kind == "i" and op == "Div":
                r = (i[0] // i[1])
            r = r.astype(np.result_type(i[0], i[1]))
        elif op == "Erf":
            r = _erf(i[0].astype(np.float64)).astype(i[0].dtype)
        elif op == "Sigmoid":
            r = (1.0 / (1.0 + np.exp(-i[0].astype(np.float64)))).astype(i[0].dtype)
        elif op == "Sqrt":
            r = np.sqrt(i[0])
        elif op == "Pow":
            r = np.power(i[0], i[1]).astype(i[0].dtype)
        elif op == "Conv":
            k = i[1].shape[2:]
            r = _conv(i[0], i[1], i[2] if len(i) > 2 else None, a.get("strides", [1, 1]),
                      a.get("pads", [0, 0, 0, 0]), a.get("dilations", [1, 1]), a.get("group", 1))
            assert tuple(k) == i[1].shape[2:]
        elif op == "Transpose":
            r = np.transpose(i[0], a.get("perm"))
        elif op == "Reshape":
            shape = [int(s) for s in i[1]]
            shape = [i[0].shape[j] if s == 0 else s for j, s in enumerate(shape)]
            r = i[0].reshape(shape)
        elif op == "Shape":
            r = np.array(i[0].shape, dtype=np.int64)
        elif op == "Gather":
            r = np.take(i[0], i[1], axis=a.get("axis", 0))
        elif op == "Unsqueeze":
            r = i[0]
            axes = sorted(int(x) % (i[0].ndim + len(i[1])) for x in i[1])
            for ax in axes:
                r = np.expand_dims(r, ax)
        elif op == "Squeeze":
            r = np.squeeze(i[0], axis=tuple(int(x) for x in i[1]))
        elif op == "Concat":
            r = np.concatenate([x for x in i if x is not None], axis=a["axis"])
        elif op == "ConstantOfShape":
            v = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
            r = np.full([int(s) for s in i[0]], v.reshape(-1)[0], dtype=v.dtype)
        elif op == "Equal":
            r = np.equal(i[0], i[1])
        elif op == "GreaterOrEqual":
            r = np.greater_equal(i[0], i[1])
        elif op == "Where":
            r = np.where(i[0], i[1], i[2])
        elif op == "Expand":
            shape = np.broadcast_shapes(i[0].shape, tuple(int(s) for s in i[1]))
            r = np.broadcast_to(i[0], shape).copy()
        elif op == "Cast":
            from onnx.mapping import TENSOR_TYPE_TO_NP_TYPE
            r = i[0].astype(TENSOR_TYPE_TO_NP_TYPE[a["to"]])
        elif op == "MatMul":
            r = np.matmul(i[0], i[1]).astype(np.float32)
        elif op == "Gemm":
            A = i[0].T if a.get("transA", 0) else i[0]
            Bm = i[1].T if a.get("transB", 0) else i[1]
            r = a.get("alpha", 1.0) * (A @ Bm)
            if len(i) > 2 and i[2] is not None:
                r = r + a.get("beta", 1.0) * i[2]
            r = r.astype(np.float32)
        elif op == "Softmax":
            x = i[0].astype(np.float64)
            ax = a.get("axis", -1)
            x = np.exp(x - x.max(axis=ax, keepdims=True))
            r = (x / x.sum(axis=ax, keepdims=True)).astype(np.float32)
        elif op == "Slice":
            starts, ends = i[1], i[2]
            axes = i[3] if len(i) > 3 and i[3] is not None else np.arange(len(starts))
            steps = i[4] if len(i) > 4 and i[4] is not None else np.ones(len(starts), np.int64)
            sl = [slice(None)] * i[0].ndim
            for s, e, ax, st in zip(starts, ends, axes, steps):
                sl[int(ax)] = slice(int(s), int(e), int(st))
            r = i[0][tuple(sl)]
        elif op in ("ReduceMean", "ReduceSum"):
            if op == "ReduceSum":
                axes = tuple(int(x) for x in i[1]) if len(i) > 1 and i[1] is not None else None
            else:
                axes = tuple(a["axes"]) if "axes" in a else None
            f = np.mean if op == "ReduceMean" else np.sum
            r = f(i[0].astype(np.float64), axis=axes, keepdims=bool(a.get("keepdims", 1))).astype(i[0].dtype)
        elif op == "Clip":
            lo = i[1] if len(i) > 1 and i[1] is not None else None
            hi = i[2] if len(i) > 2 and i[2] is not None else None
            r = np.clip(i[0], lo, hi)
        elif op == "LayerNormalization":
            r = _layer_norm(i[0], i[1], i[2] if len(i) > 2 else None, a.get("axis", -1), a.get("epsilon", 1e-5))
        elif op == "Resize":
            r = _resize(i[0], i[2] if len(i) > 2 else None, i[3] if len(i) > 3 else None, a)
        elif op == "GridSample":
            r = _grid_sample(i[0], i[1], a.get("align_corners", 0), a.get("mode", "bilinear"),
                             a.get("padding_mode", "zeros"))
        elif op == "Einsum":
            eq = a["equation"]
            eq = eq.decode() if isinstance(eq, bytes) else eq
            r = np.einsum(eq, *i).astype(np.float32)
        else:
            raise NotImplementedError(op)
        outs = r if isinstance(r, tuple) else (r,)
        for name, val in zip(node.output, outs):
            env[name] = val
    return [env[o.name] for o in model.graph.output]
