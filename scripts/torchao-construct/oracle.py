"""torchao's FakeQuantizeConfig / IntxFakeQuantizeConfig construction, replayed from its source with stand-in
torch dtypes, enums and granularity classes whose str()/repr() print as torchao's do.

Source: torchao v0.12.0 (442232fb) torchao/quantization/qat/api.py:91-214 (FakeQuantizeConfig.__init__,
_get_granularity, _get_mapping_type); HEAD (36027d82) torchao/quantization/qat/fake_quantize_config.py:176-292 has
the same code; granularity.py: v0.12's PerRow/PerToken are plain subclasses (repr "PerRow()"), HEAD's PerRow is a
dataclass with dim=-1.

Input: a config in the conformance corpus's encoding, parsed by Python's json (32.0 stays a float).
run(cfg) -> ("ok", canonical dict) | ("error", "ValueError", message) | ("undefined", why), the last when the
encoding names no torchao value (an unknown granularity class, a dtype torch does not have, a missing dtype).
"""
import enum
from dataclasses import dataclass


class TorchDtype:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "torch." + self.name

    __str__ = __repr__

    def __eq__(self, other):
        return isinstance(other, TorchDtype) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


# torch attribute names that are dtypes (aliases resolve to the canonical object, as in torch)
_ALIASES = {"float": "float32", "double": "float64", "half": "float16", "int": "int32", "long": "int64",
            "short": "int16", "cfloat": "complex64", "cdouble": "complex128", "chalf": "complex32"}
_DTYPE_NAMES = ["float32", "float64", "float16", "bfloat16", "int8", "int16", "int32", "int64", "uint8", "uint16",
                "uint32", "uint64", "bool", "complex64", "complex128", "complex32", "float8_e4m3fn", "float8_e5m2",
                "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2", "qint8", "quint8", "qint32",
                "quint4x2", "quint2x4", "bits8", "bits16", "bits1x8", "bits2x4", "bits4x2"] + \
               ["int%d" % i for i in range(1, 8)] + ["uint%d" % i for i in range(1, 8)]


def torch_dtype(name):
    name = _ALIASES.get(name, name)
    return TorchDtype(name) if name in _DTYPE_NAMES else None


class MappingType(enum.Enum):
    SYMMETRIC = enum.auto()
    SYMMETRIC_NO_CLIPPING_ERR = enum.auto()
    ASYMMETRIC = enum.auto()


class ZeroPointDomain(enum.Enum):
    INT = enum.auto()
    FLOAT = enum.auto()
    NONE = enum.auto()


class TorchAODType(enum.Enum):
    INT1 = enum.auto()
    INT2 = enum.auto()
    INT3 = enum.auto()
    INT4 = enum.auto()
    INT5 = enum.auto()
    INT6 = enum.auto()
    INT7 = enum.auto()


@dataclass(frozen=True)
class Granularity:
    pass


@dataclass(frozen=True)
class PerTensor(Granularity):
    pass


@dataclass(frozen=True)
class PerAxis(Granularity):
    axis: int


@dataclass(frozen=True)
class PerGroup(Granularity):
    group_size: int


class PerRow(Granularity):  # v0.12: no decorator, repr inherited -> "PerRow()"
    pass


@dataclass(frozen=True)
class PerRowHead(Granularity):
    dim: int = -1

    def __repr__(self):
        return "PerRow(dim=%r)" % (self.dim,)


class PerToken(Granularity):
    pass


@dataclass(frozen=True)
class PerBlock(Granularity):
    block_size: tuple


ALL_DTYPES = [TorchDtype("int8"), TorchDtype("uint8")] + list(TorchAODType) + \
             [TorchDtype("int%d" % i) for i in range(1, 8)] + [TorchDtype("uint%d" % i) for i in range(1, 8)]


class Undefined(Exception):
    pass


_MISSING = object()


def construct(dtype, granularity=None, mapping_type=None, scale_precision=TorchDtype("float32"),
              zero_point_precision=TorchDtype("int32"), zero_point_domain=ZeroPointDomain.INT, is_dynamic=True,
              range_learning=False, eps=None, *, group_size=None, is_symmetric=None):
    # api.py v0.12.0 FakeQuantizeConfig.__init__, verbatim logic
    if zero_point_domain is None:
        raise ValueError("Please use ZeroPointDomain.NONE instead of None")
    gran = _get_granularity(granularity, group_size)
    mt = _get_mapping_type(mapping_type, is_symmetric)
    if dtype not in ALL_DTYPES:
        raise ValueError("Unsupported dtype '%s', choose from %s" % (dtype, ALL_DTYPES))
    if is_dynamic and range_learning:
        raise ValueError("`is_dynamic` is not compatible with `range_learning`")
    return dict(dtype=dtype, granularity=gran, mapping_type=mt, scale_precision=scale_precision,
                zero_point_precision=zero_point_precision, zero_point_domain=zero_point_domain,
                is_dynamic=is_dynamic, range_learning=range_learning, eps=eps)


def _get_granularity(granularity, group_size):
    if group_size is not None and granularity != "per_group" and granularity is not None:
        raise ValueError("`group_size` conflicts with granularity '%s'" % granularity)
    if isinstance(granularity, Granularity):
        if not isinstance(granularity, (PerToken, PerAxis, PerGroup)):
            raise ValueError("Granularity '%s' is not supported" % granularity)
        if isinstance(granularity, PerAxis) and granularity.axis != 0:
            raise ValueError("Only axis=0 is supported for PerAxis granularity")
        return granularity
    if granularity == "per_token":
        return PerToken()
    elif granularity == "per_channel":
        return PerAxis(axis=0)
    elif granularity == "per_group":
        if group_size is None:
            raise ValueError("Granularity was 'per_group' but no `group_size` was set")
        return PerGroup(group_size)
    elif isinstance(granularity, str):
        raise ValueError("Unexpected granularity: '%s', must be one of %s"
                         % (granularity, ["per_token", "per_channel", "per_group"]))
    if granularity is not None:
        raise ValueError("Granularity '%s' has unexpected type %s" % (granularity, type(granularity)))
    if group_size is None:
        raise ValueError("At least one of `granularity` or `group_size` must be set")
    return PerGroup(group_size)


def _get_mapping_type(mapping_type, is_symmetric):
    if mapping_type is not None and is_symmetric is not None:
        raise ValueError("Cannot set both `mapping_type` and `is_symmetric`")
    if mapping_type is None and is_symmetric is None:
        return MappingType.SYMMETRIC
    if mapping_type is not None:
        if mapping_type not in [MappingType.SYMMETRIC, MappingType.ASYMMETRIC]:
            raise ValueError("MappingType '%s' is not supported" % mapping_type)
        return mapping_type
    return MappingType.SYMMETRIC if is_symmetric else MappingType.ASYMMETRIC


# ---- decoding of the corpus encoding --------------------------------------------------------------
KWARGS = ["dtype", "granularity", "mapping_type", "scale_precision", "zero_point_precision", "zero_point_domain",
          "is_dynamic", "range_learning", "eps", "group_size", "is_symmetric"]


def decode_dtype(v, what):
    if isinstance(v, str):
        d = torch_dtype(v)
        if d is None:
            raise Undefined("%s %r is no torch attribute" % (what, v))
        return d
    return v  # raw wrong-typed values are passed as given


def decode_granularity(v, head=False):
    if isinstance(v, dict) and "type" in v:
        t = v.get("type")
        fields = {k: x for k, x in v.items() if k != "type"}
        cls = {"PerToken": PerToken, "PerAxis": PerAxis, "PerGroup": PerGroup, "PerTensor": PerTensor,
               "PerRow": PerRowHead if head else PerRow, "PerBlock": PerBlock if head else None}.get(t)
        if cls is None:
            raise Undefined("granularity type %r" % (t,))
        try:
            return cls(**fields)
        except TypeError as e:
            raise Undefined("granularity fields: %s" % e)
    return v


def decode_enum(enum_cls, v):
    if isinstance(v, str) and v in enum_cls.__members__:
        return enum_cls[v]
    return v


def decode(cfg, head=False):
    kw = {}
    for k, v in cfg.items():
        if k not in KWARGS:
            raise Undefined("unknown kwarg %r (TypeError)" % k)
        if k == "dtype":
            v = decode_dtype(v, "dtype")
        elif k in ("scale_precision", "zero_point_precision"):
            v = decode_dtype(v, k) if v is not None else None
        elif k == "granularity":
            v = decode_granularity(v, head)
        elif k == "mapping_type":
            v = decode_enum(MappingType, v)
        elif k == "zero_point_domain":
            v = decode_enum(ZeroPointDomain, v)
        kw[k] = v
    if "dtype" not in kw:
        raise Undefined("missing dtype (TypeError)")
    return kw


def encode_value(v):
    if isinstance(v, TorchDtype):
        return v.name
    if isinstance(v, enum.Enum):
        return v.name
    if isinstance(v, PerToken):
        return {"type": "PerToken"}
    if isinstance(v, PerAxis):
        return {"type": "PerAxis", "axis": v.axis}
    if isinstance(v, PerGroup):
        return {"type": "PerGroup", "group_size": v.group_size}
    return v


def run(cfg, head=False):
    try:
        kw = decode(cfg, head)
    except Undefined as e:
        return ("undefined", str(e))
    try:
        out = construct(**kw)
    except ValueError as e:
        return ("error", "ValueError", str(e))
    return ("ok", {k: encode_value(v) for k, v in out.items()})
