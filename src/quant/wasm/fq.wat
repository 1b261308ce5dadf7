;; WebAssembly SIMD fake-quant kernel for the two hot float32 cases (spec §3.1–§3.3):
;;   sym_groups  — per_group/per_channel SYMMETRIC, INT domain, S = float32, Z = int32
;;   asym_tokens — per_token ASYMMETRIC, S = float32, Z = int32
;; Bit-exact with src/quant/kernel.ts + qparams.ts: every op is one IEEE float32 op,
;; f32x4.nearest is round-half-even keeping the sign of zero, and the compares
;; mirror the JS ternaries (`a < b ? b : a`) so NaN and ±0 behave the same.
;; Data are processed in place; scale and zero point are written as f64 (what the
;; JS side stores). Built by scripts/gen-sources.mjs with wabt.
(module
  (memory (export "memory") 1)

  ;; y = f32(f32(q − z)·s), q = clamp(rhe(f32(x·r)) + z, qmin, qmax), over n floats at p.
  (func $quant (param $p i32) (param $n i32) (param $r f32) (param $s f32) (param $z f32)
                (param $qmin f32) (param $qmax f32)
    (local $end i32) (local $vend i32)
    (local $vr v128) (local $vs v128) (local $vz v128) (local $vlo v128) (local $vhi v128)
    (local $q v128) (local $x f32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $vr (f32x4.splat (local.get $r)))
    (local.set $vs (f32x4.splat (local.get $s)))
    (local.set $vz (f32x4.splat (local.get $z)))
    (local.set $vlo (f32x4.splat (local.get $qmin)))
    (local.set $vhi (f32x4.splat (local.get $qmax)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $p) (local.get $vend)))
        (local.set $q
          (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $p)) (local.get $vr))) (local.get $vz)))
        ;; pmax(q, qmin) = q < qmin ? qmin : q and pmin(q, qmax) = qmax < q ? qmax : q: the JS
        ;; ternaries exactly (NaN passes through), one instruction each.
        (local.set $q (f32x4.pmin (f32x4.pmax (local.get $q) (local.get $vlo)) (local.get $vhi)))
        (v128.store (local.get $p) (f32x4.mul (f32x4.sub (local.get $q) (local.get $vz)) (local.get $vs)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vloop)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (f32.add (f32.nearest (f32.mul (f32.load (local.get $p)) (local.get $r))) (local.get $z)))
        (local.set $x (select (local.get $qmin) (local.get $x) (f32.lt (local.get $x) (local.get $qmin))))
        (local.set $x (select (local.get $qmax) (local.get $x) (f32.gt (local.get $x) (local.get $qmax))))
        (f32.store (local.get $p) (f32.mul (f32.sub (local.get $x) (local.get $z)) (local.get $s)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $loop))))

  ;; NaN → 0x7fc00000 over n floats at p: the JS kernel's stores give that one NaN, while wasm
  ;; arithmetic keeps input payloads and x86's negative default NaN. Run only for groups whose
  ;; scale or reciprocal is not finite: with both finite no output can be NaN.
  (func $canon (param $p i32) (param $n i32)
    (local $end i32) (local $vend i32) (local $v v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $p) (local.get $vend)))
        (local.set $v (v128.load (local.get $p)))
        (v128.store (local.get $p)
          (v128.bitselect (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000) (local.get $v)
            (f32x4.ne (local.get $v) (local.get $v))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vloop)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (if (f32.ne (f32.load (local.get $p)) (f32.load (local.get $p)))
          (then (i32.store (local.get $p) (i32.const 0x7fc00000))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $loop))))

  ;; Stores scale s (as f64, NaN as the canonical 0x7ff8… like a JS NaN) and canonicalises the
  ;; group's NaN outputs when s or r = 1/s is not finite.
  (func $finish (param $p i32) (param $n i32) (param $s f32) (param $r f32) (param $sp i32)
    (if (i32.eqz (i32.and (f32.lt (f32.abs (local.get $s)) (f32.const inf))
                          (f32.lt (f32.abs (local.get $r)) (f32.const inf))))
      (then (call $canon (local.get $p) (local.get $n))))
    (f64.store (local.get $sp)
      (select (f64.const nan) (f64.promote_f32 (local.get $s)) (f32.ne (local.get $s) (local.get $s)))))

  ;; Symmetric groups: m = max|v| (NaN if any NaN), s = max(f32(m/div), eps), z = 0.
  ;; An all-zero group gives m = −x[first]: the JS min/max keep the first zero seen and
  ;; negate the min, so that is the zero sign torch's tie-breaking produces.
  (func (export "sym_groups") (param $p i32) (param $groups i32) (param $g i32)
        (param $div f32) (param $eps f32) (param $qmin f32) (param $qmax f32)
        (param $sp i32) (param $zp i32)
    (local $k i32) (local $i i32) (local $vend i32) (local $end i32)
    (local $acc v128) (local $nan v128) (local $v v128)
    (local $vr v128) (local $vs v128) (local $vlo v128) (local $vhi v128)
    (local $m f32) (local $x f32) (local $s f32) (local $r f32)
    (local.set $vlo (f32x4.splat (local.get $qmin)))
    (local.set $vhi (f32x4.splat (local.get $qmax)))
    (block $gdone
      (loop $gloop
        (br_if $gdone (i32.ge_u (local.get $k) (local.get $groups)))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $g) (i32.const 2))))
        (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $g) (i32.const -4)) (i32.const 2))))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $nan (v128.const i32x4 0 0 0 0))
        (local.set $i (local.get $p))
        (block $vdone
          (loop $vloop
            (br_if $vdone (i32.ge_u (local.get $i) (local.get $vend)))
            (local.set $v (v128.load (local.get $i)))
            ;; pmax skips NaN (acc < |v| ? |v| : acc); NaN is tracked separately.
            (local.set $acc (f32x4.pmax (local.get $acc) (f32x4.abs (local.get $v))))
            (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $vloop)))
        (local.set $m
          (f32.max
            (f32.max (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.max (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (if (v128.any_true (local.get $nan)) (then (local.set $m (f32.const nan))))
        (block $done
          (loop $loop
            (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $x (f32.load (local.get $i)))
            (local.set $m (f32.max (local.get $m) (f32.abs (local.get $x)))) ;; f32.max propagates NaN
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $loop)))
        (if (f32.eq (local.get $m) (f32.const 0))
          (then (local.set $m (f32.neg (f32.load (local.get $p))))))
        (local.set $s (f32.div (local.get $m) (local.get $div)))
        (local.set $s (select (local.get $eps) (local.get $s) (f32.lt (local.get $s) (local.get $eps))))
        (local.set $r (f32.div (f32.const 1) (local.get $s)))
        ;; $quant's vector loop inlined (z = 0): with 32-value groups the calls cost ~15% (measured).
        (local.set $vr (f32x4.splat (local.get $r)))
        (local.set $vs (f32x4.splat (local.get $s)))
        (local.set $i (local.get $p))
        (block $qdone
          (loop $qloop
            (br_if $qdone (i32.ge_u (local.get $i) (local.get $vend)))
            (local.set $v
              (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $vr))) (v128.const i32x4 0 0 0 0)))
            (local.set $v (f32x4.pmin (f32x4.pmax (local.get $v) (local.get $vlo)) (local.get $vhi)))
            ;; (q − 0)·s is q·s: q is never −0 here (rhe(x·r) + 0 turned −0 into +0), and a NaN group is canonicalised below.
            (v128.store (local.get $i) (f32x4.mul (local.get $v) (local.get $vs)))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $qloop)))
        (if (i32.lt_u (local.get $i) (local.get $end))
          (then (call $quant (local.get $i) (i32.shr_u (i32.sub (local.get $end) (local.get $i)) (i32.const 2))
                  (local.get $r) (local.get $s) (f32.const 0) (local.get $qmin) (local.get $qmax))))
        (if (i32.eqz (i32.and (f32.lt (f32.abs (local.get $s)) (f32.const inf))
                              (f32.lt (f32.abs (local.get $r)) (f32.const inf))))
          (then (call $canon (local.get $p) (local.get $g))))
        (f64.store (local.get $sp)
          (select (f64.const nan) (f64.promote_f32 (local.get $s)) (f32.ne (local.get $s) (local.get $s))))
        (f64.store (local.get $zp) (f64.const 0))
        (local.set $p (local.get $end))
        (local.set $sp (i32.add (local.get $sp) (i32.const 8)))
        (local.set $zp (i32.add (local.get $zp) (i32.const 8)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $gloop))))

  ;; Per-token asymmetric (choose_qparams_affine, zero kept in range):
  ;; s = max(f32(f32(max(hi,0) − min(lo,0))/div), eps); z = clamp(qmin − rhe(f32(min(lo,0)/s)), qmin, qmax),
  ;; cast to int32 (NaN → INT_MIN, as x86 does).
  (func (export "asym_tokens") (param $p i32) (param $tokens i32) (param $n i32)
        (param $div f32) (param $eps f32) (param $qmin f32) (param $qmax f32)
        (param $sp i32) (param $zp i32)
    (local $k i32) (local $i i32) (local $vend i32) (local $end i32)
    (local $vlo v128) (local $vhi v128) (local $nan v128) (local $v v128)
    (local $lo f32) (local $hi f32) (local $x f32) (local $s f32) (local $r f32) (local $zf f32) (local $zi i32)
    (block $tdone
      (loop $tloop
        (br_if $tdone (i32.ge_u (local.get $k) (local.get $tokens)))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
        (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
        (local.set $vlo (f32x4.splat (f32.const inf)))
        (local.set $vhi (f32x4.splat (f32.const -inf)))
        (local.set $nan (v128.const i32x4 0 0 0 0))
        (local.set $i (local.get $p))
        (block $vdone
          (loop $vloop
            (br_if $vdone (i32.ge_u (local.get $i) (local.get $vend)))
            (local.set $v (v128.load (local.get $i)))
            ;; pmin/pmax are `v < lo ? v : lo` / `hi < v ? v : hi`: they skip NaN like the JS loop.
            (local.set $vlo (f32x4.pmin (local.get $vlo) (local.get $v)))
            (local.set $vhi (f32x4.pmax (local.get $vhi) (local.get $v)))
            (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $vloop)))
        ;; The sign of a zero min/max cannot change s or z here (max(hi,0) − min(lo,0) is +0 for any
        ;; zero signs), so the lane order of the reduction does not matter.
        (local.set $lo (f32.min
          (f32.min (f32x4.extract_lane 0 (local.get $vlo)) (f32x4.extract_lane 1 (local.get $vlo)))
          (f32.min (f32x4.extract_lane 2 (local.get $vlo)) (f32x4.extract_lane 3 (local.get $vlo)))))
        (local.set $hi (f32.max
          (f32.max (f32x4.extract_lane 0 (local.get $vhi)) (f32x4.extract_lane 1 (local.get $vhi)))
          (f32.max (f32x4.extract_lane 2 (local.get $vhi)) (f32x4.extract_lane 3 (local.get $vhi)))))
        (if (v128.any_true (local.get $nan))
          (then (local.set $lo (f32.const nan)) (local.set $hi (f32.const nan))))
        (block $done
          (loop $loop
            (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $x (f32.load (local.get $i)))
            (local.set $lo (f32.min (local.get $lo) (local.get $x))) ;; f32.min/max propagate NaN
            (local.set $hi (f32.max (local.get $hi) (local.get $x)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $loop)))
        ;; lo' = min(lo, 0), hi' = max(hi, 0), NaN-propagating.
        (local.set $lo (f32.min (local.get $lo) (f32.const 0)))
        (local.set $hi (f32.max (local.get $hi) (f32.const 0)))
        (local.set $s (f32.div (f32.sub (local.get $hi) (local.get $lo)) (local.get $div)))
        (local.set $s (select (local.get $eps) (local.get $s) (f32.lt (local.get $s) (local.get $eps))))
        (local.set $zf (f32.sub (local.get $qmin) (f32.nearest (f32.div (local.get $lo) (local.get $s)))))
        (local.set $zf (select (local.get $qmin) (local.get $zf) (f32.lt (local.get $zf) (local.get $qmin))))
        (local.set $zf (select (local.get $qmax) (local.get $zf) (f32.gt (local.get $zf) (local.get $qmax))))
        (local.set $zi (select (i32.const 0x80000000) (i32.trunc_sat_f32_s (local.get $zf))
          (f32.ne (local.get $zf) (local.get $zf))))
        (local.set $r (f32.div (f32.const 1) (local.get $s)))
        (call $quant (local.get $p) (local.get $n) (local.get $r) (local.get $s)
          (f32.convert_i32_s (local.get $zi)) (local.get $qmin) (local.get $qmax))
        (call $finish (local.get $p) (local.get $n) (local.get $s) (local.get $r) (local.get $sp))
        (f64.store (local.get $zp) (f64.convert_i32_s (local.get $zi)))
        (local.set $p (local.get $end))
        (local.set $sp (i32.add (local.get $sp) (i32.const 8)))
        (local.set $zp (i32.add (local.get $zp) (i32.const 8)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $tloop))))
)
