;; WebAssembly SIMD fake-quant kernel for the float32 cases (spec §3.1–§3.3):
;;   sym_groups        — per_group/per_channel SYMMETRIC, INT domain, S = float32, Z = int32
;;   asym_tokens       — per_token ASYMMETRIC, S = float32, Z = int32
;;   asym_groups       — per_group/per_channel ASYMMETRIC, INT domain, S = float32, Z = int32
;;   asym_float_groups — per_group/per_channel ASYMMETRIC, FLOAT domain (tinygemm), S = Z = float32
;; then, in sections below: the same cases computed in bfloat16/float16 (sym_groups_w16,
;; asym_groups_w16, asym_tokens_w16, asym_float_groups_w16 for tinygemm groups), the fused
;; 16-bit in/out variant of sym_groups_w16 (sym_groups_io16), the BF16 byte widen/narrow of
;; checkpoint tensors, and report's error statistics (sum_squares, err_stats).
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
    (local $end i32) (local $vend i32) (local $v2end i32)
    (local $vr v128) (local $vs v128) (local $vz v128) (local $vlo v128) (local $vhi v128)
    (local $q v128) (local $q2 v128) (local $x f32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $vr (f32x4.splat (local.get $r)))
    (local.set $vs (f32x4.splat (local.get $s)))
    (local.set $vz (f32x4.splat (local.get $z)))
    (local.set $vlo (f32x4.splat (local.get $qmin)))
    (local.set $vhi (f32x4.splat (local.get $qmax)))
    (local.set $v2end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (block $v2done
      (loop $v2loop
        (br_if $v2done (i32.ge_u (local.get $p) (local.get $v2end)))
        (local.set $q
          (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $p)) (local.get $vr))) (local.get $vz)))
        (local.set $q2
          (f32x4.add (f32x4.nearest (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $vr))) (local.get $vz)))
        (local.set $q (f32x4.pmin (f32x4.pmax (local.get $q) (local.get $vlo)) (local.get $vhi)))
        (local.set $q2 (f32x4.pmin (f32x4.pmax (local.get $q2) (local.get $vlo)) (local.get $vhi)))
        (v128.store (local.get $p) (f32x4.mul (f32x4.sub (local.get $q) (local.get $vz)) (local.get $vs)))
        (v128.store offset=16 (local.get $p) (f32x4.mul (f32x4.sub (local.get $q2) (local.get $vz)) (local.get $vs)))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $v2loop)))
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

  ;; Stores scale s at sp as f64, NaN as the canonical 0x7ff8… (a JS NaN).
  (func $store_scale (param $sp i32) (param $s f32)
    (f64.store (local.get $sp)
      (select (f64.const nan) (f64.promote_f32 (local.get $s)) (f32.ne (local.get $s) (local.get $s)))))

  ;; 1 when s and r = 1/s are both finite (then no output of the group can be NaN).
  (func $finite (param $s f32) (param $r f32) (result i32)
    (i32.and (f32.lt (f32.abs (local.get $s)) (f32.const inf))
             (f32.lt (f32.abs (local.get $r)) (f32.const inf))))

  ;; Stores scale s and canonicalises the group's NaN outputs when s or r is not finite.
  (func $finish (param $p i32) (param $n i32) (param $s f32) (param $r f32) (param $sp i32)
    (if (i32.eqz (call $finite (local.get $s) (local.get $r)))
      (then (call $canon (local.get $p) (local.get $n))))
    (call $store_scale (local.get $sp) (local.get $s)))

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
    (local $gb i32) (local $off i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $n0 v128) (local $n1 v128) (local $n2 v128) (local $n3 v128)
    (local $h v128) (local $s4 v128) (local $r4 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local.set $vlo (f32x4.splat (local.get $qmin)))
    (local.set $vhi (f32x4.splat (local.get $qmax)))
    ;; Four groups at a time when a group is whole vectors (g = 4n): their maxima land in the
    ;; lanes of one vector, so the two divisions and the clamp to eps are one vector op each for
    ;; four groups, not a scalar chain per group (that chain dominated 32-value groups).
    ;; Lane j computes what the one-group loop below computes for group j, op for op.
    (local.set $gb (i32.shl (local.get $g) (i32.const 2)))
    (if (i32.eqz (i32.and (local.get $g) (i32.const 3)))
      (then
        (block $bdone
          (loop $bloop
            (br_if $bdone (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $groups)))
            (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $n0 (v128.const i32x4 0 0 0 0)) (local.set $n1 (v128.const i32x4 0 0 0 0))
            (local.set $n2 (v128.const i32x4 0 0 0 0)) (local.set $n3 (v128.const i32x4 0 0 0 0))
            ;; max |v| and NaN flags, the four groups side by side (four independent chains).
            (local.set $off (i32.const 0))
            (block $mdone
              (loop $mloop
                (br_if $mdone (i32.ge_u (local.get $off) (local.get $gb)))
                (local.set $i (i32.add (local.get $p) (local.get $off)))
                (local.set $v (v128.load (local.get $i)))
                (local.set $a0 (f32x4.pmax (local.get $a0) (f32x4.abs (local.get $v))))
                (local.set $n0 (v128.or (local.get $n0) (f32x4.ne (local.get $v) (local.get $v))))
                (local.set $i (i32.add (local.get $i) (local.get $gb)))
                (local.set $v (v128.load (local.get $i)))
                (local.set $a1 (f32x4.pmax (local.get $a1) (f32x4.abs (local.get $v))))
                (local.set $n1 (v128.or (local.get $n1) (f32x4.ne (local.get $v) (local.get $v))))
                (local.set $i (i32.add (local.get $i) (local.get $gb)))
                (local.set $v (v128.load (local.get $i)))
                (local.set $a2 (f32x4.pmax (local.get $a2) (f32x4.abs (local.get $v))))
                (local.set $n2 (v128.or (local.get $n2) (f32x4.ne (local.get $v) (local.get $v))))
                (local.set $i (i32.add (local.get $i) (local.get $gb)))
                (local.set $v (v128.load (local.get $i)))
                (local.set $a3 (f32x4.pmax (local.get $a3) (f32x4.abs (local.get $v))))
                (local.set $n3 (v128.or (local.get $n3) (f32x4.ne (local.get $v) (local.get $v))))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $mloop)))
            ;; h[j] = max of a_j's lanes, by a 4×4 transpose. The lanes hold +0 or more and no NaN,
            ;; so pmax is max here and the order cannot matter.
            (local.set $a0 (f32x4.pmax
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a0) (local.get $a1))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a0) (local.get $a1))))
            (local.set $a2 (f32x4.pmax
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a2) (local.get $a3))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a2) (local.get $a3))))
            (local.set $h (f32x4.pmax
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a0) (local.get $a2))
              (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a0) (local.get $a2))))
            ;; Rare cases lane by lane, as the one-group loop: a NaN makes m NaN; m = 0 takes −x[first].
            (if (v128.any_true (v128.or (v128.or (local.get $n0) (local.get $n1)) (v128.or (local.get $n2) (local.get $n3))))
              (then
                (if (v128.any_true (local.get $n0)) (then (local.set $h (f32x4.replace_lane 0 (local.get $h) (f32.const nan)))))
                (if (v128.any_true (local.get $n1)) (then (local.set $h (f32x4.replace_lane 1 (local.get $h) (f32.const nan)))))
                (if (v128.any_true (local.get $n2)) (then (local.set $h (f32x4.replace_lane 2 (local.get $h) (f32.const nan)))))
                (if (v128.any_true (local.get $n3)) (then (local.set $h (f32x4.replace_lane 3 (local.get $h) (f32.const nan)))))))
            (if (v128.any_true (f32x4.eq (local.get $h) (v128.const i32x4 0 0 0 0)))
              (then
                (if (f32.eq (f32x4.extract_lane 0 (local.get $h)) (f32.const 0))
                  (then (local.set $h (f32x4.replace_lane 0 (local.get $h) (f32.neg (f32.load (local.get $p)))))))
                (if (f32.eq (f32x4.extract_lane 1 (local.get $h)) (f32.const 0))
                  (then (local.set $h (f32x4.replace_lane 1 (local.get $h)
                    (f32.neg (f32.load (i32.add (local.get $p) (local.get $gb))))))))
                (if (f32.eq (f32x4.extract_lane 2 (local.get $h)) (f32.const 0))
                  (then (local.set $h (f32x4.replace_lane 2 (local.get $h)
                    (f32.neg (f32.load (i32.add (local.get $p) (i32.shl (local.get $gb) (i32.const 1)))))))))
                (if (f32.eq (f32x4.extract_lane 3 (local.get $h)) (f32.const 0))
                  (then (local.set $h (f32x4.replace_lane 3 (local.get $h)
                    (f32.neg (f32.load (i32.add (local.get $p) (i32.mul (local.get $gb) (i32.const 3)))))))))))
            ;; s = (m/div < eps ? eps : m/div) is pmax(m/div, eps); r = 1/s.
            (local.set $s4 (f32x4.pmax (f32x4.div (local.get $h) (f32x4.splat (local.get $div))) (f32x4.splat (local.get $eps))))
            (local.set $r4 (f32x4.div (v128.const f32x4 1 1 1 1) (local.get $s4)))
            (local.set $s0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $s4) (local.get $s4)))
            (local.set $s1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $s4) (local.get $s4)))
            (local.set $s2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $s4) (local.get $s4)))
            (local.set $s3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $s4) (local.get $s4)))
            (local.set $r0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $r4) (local.get $r4)))
            (local.set $r1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $r4) (local.get $r4)))
            (local.set $r2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $r4) (local.get $r4)))
            (local.set $r3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $r4) (local.get $r4)))
            ;; Quantize the four groups side by side, as the one-group loop does (z = 0).
            (local.set $off (i32.const 0))
            (block $qdone4
              (loop $qloop4
                (br_if $qdone4 (i32.ge_u (local.get $off) (local.get $gb)))
                (local.set $i (i32.add (local.get $p) (local.get $off)))
                (v128.store (local.get $i) (f32x4.mul (f32x4.pmin (f32x4.pmax
                  (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r0))) (v128.const i32x4 0 0 0 0))
                  (local.get $vlo)) (local.get $vhi)) (local.get $s0)))
                (local.set $i (i32.add (local.get $i) (local.get $gb)))
                (v128.store (local.get $i) (f32x4.mul (f32x4.pmin (f32x4.pmax
                  (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r1))) (v128.const i32x4 0 0 0 0))
                  (local.get $vlo)) (local.get $vhi)) (local.get $s1)))
                (local.set $i (i32.add (local.get $i) (local.get $gb)))
                (v128.store (local.get $i) (f32x4.mul (f32x4.pmin (f32x4.pmax
                  (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r2))) (v128.const i32x4 0 0 0 0))
                  (local.get $vlo)) (local.get $vhi)) (local.get $s2)))
                (local.set $i (i32.add (local.get $i) (local.get $gb)))
                (v128.store (local.get $i) (f32x4.mul (f32x4.pmin (f32x4.pmax
                  (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r3))) (v128.const i32x4 0 0 0 0))
                  (local.get $vlo)) (local.get $vhi)) (local.get $s3)))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $qloop4)))
            ;; Canonical NaNs and scales: the common case (all finite) is two vector stores.
            (if (i32x4.all_true (v128.and
                  (f32x4.lt (f32x4.abs (local.get $s4)) (v128.const f32x4 inf inf inf inf))
                  (f32x4.lt (f32x4.abs (local.get $r4)) (v128.const f32x4 inf inf inf inf))))
              (then
                (v128.store (local.get $sp) (f64x2.promote_low_f32x4 (local.get $s4)))
                (v128.store offset=16 (local.get $sp)
                  (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $s4) (local.get $s4)))))
              (else
                (call $finish (local.get $p) (local.get $g)
                  (f32x4.extract_lane 0 (local.get $s4)) (f32x4.extract_lane 0 (local.get $r4)) (local.get $sp))
                (call $finish (i32.add (local.get $p) (local.get $gb)) (local.get $g)
                  (f32x4.extract_lane 1 (local.get $s4)) (f32x4.extract_lane 1 (local.get $r4)) (i32.add (local.get $sp) (i32.const 8)))
                (call $finish (i32.add (local.get $p) (i32.shl (local.get $gb) (i32.const 1))) (local.get $g)
                  (f32x4.extract_lane 2 (local.get $s4)) (f32x4.extract_lane 2 (local.get $r4)) (i32.add (local.get $sp) (i32.const 16)))
                (call $finish (i32.add (local.get $p) (i32.mul (local.get $gb) (i32.const 3))) (local.get $g)
                  (f32x4.extract_lane 3 (local.get $s4)) (f32x4.extract_lane 3 (local.get $r4)) (i32.add (local.get $sp) (i32.const 24)))))
            (v128.store (local.get $zp) (v128.const i64x2 0 0))
            (v128.store offset=16 (local.get $zp) (v128.const i64x2 0 0))
            (local.set $p (i32.add (local.get $p) (i32.shl (local.get $gb) (i32.const 2))))
            (local.set $sp (i32.add (local.get $sp) (i32.const 32)))
            (local.set $zp (i32.add (local.get $zp) (i32.const 32)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $bloop)))))
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
        (call $finish (local.get $p) (local.get $g) (local.get $s) (local.get $r) (local.get $sp))
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
    (local $k i32) (local $i i32) (local $vend i32) (local $v2end i32) (local $end i32)
    (local $vlo v128) (local $vhi v128) (local $nan v128) (local $v v128)
    (local $vlo2 v128) (local $vhi2 v128) (local $nan2 v128) (local $w v128)
    (local $lo f32) (local $hi f32) (local $x f32) (local $s f32) (local $r f32) (local $zf f32) (local $zi i32)
    (block $tdone
      (loop $tloop
        (br_if $tdone (i32.ge_u (local.get $k) (local.get $tokens)))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
        (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
        (local.set $v2end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
        (local.set $vlo (f32x4.splat (f32.const inf)))
        (local.set $vhi (f32x4.splat (f32.const -inf)))
        (local.set $nan (v128.const i32x4 0 0 0 0))
        (local.set $vlo2 (local.get $vlo))
        (local.set $vhi2 (local.get $vhi))
        (local.set $nan2 (local.get $nan))
        (local.set $i (local.get $p))
        ;; Two vectors an iteration into two sets of accumulators: each min/max chain waits on its
        ;; previous step, so one set leaves the core idle half the time (~25% of the kernel, measured).
        (block $v2done
          (loop $v2loop
            (br_if $v2done (i32.ge_u (local.get $i) (local.get $v2end)))
            (local.set $v (v128.load (local.get $i)))
            (local.set $w (v128.load offset=16 (local.get $i)))
            (local.set $vlo (f32x4.pmin (local.get $vlo) (local.get $v)))
            (local.set $vhi (f32x4.pmax (local.get $vhi) (local.get $v)))
            (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
            (local.set $vlo2 (f32x4.pmin (local.get $vlo2) (local.get $w)))
            (local.set $vhi2 (f32x4.pmax (local.get $vhi2) (local.get $w)))
            (local.set $nan2 (v128.or (local.get $nan2) (f32x4.ne (local.get $w) (local.get $w))))
            (local.set $i (i32.add (local.get $i) (i32.const 32)))
            (br $v2loop)))
        ;; Neither set holds a NaN (pmin/pmax skip them; the flags record them), so merging is exact.
        (local.set $vlo (f32x4.pmin (local.get $vlo) (local.get $vlo2)))
        (local.set $vhi (f32x4.pmax (local.get $vhi) (local.get $vhi2)))
        (local.set $nan (v128.or (local.get $nan) (local.get $nan2)))
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

;; ---- float32 asymmetric groups ----
  ;; Asymmetric per_group/per_channel computed in float32 (get_groupwise_affine_qparams: zero not forced
  ;; into the range), S = float32: qparams.ts kind 2, then kernel.ts intBlockF32 (INT domain, Z = int32:
  ;; asym_groups) or floatBlockF32 (FLOAT domain, Z = float32, tinygemm: asym_float_groups), op for op.
  ;; Zero signs: lo and hi may hold another zero's sign than the JS loop's (which keeps the first of equal
  ;; values), which changes no result: hi − lo is +0 whenever both are zeros (an all-zero group gives lo =
  ;; −0 only if some value is −0, and hi = −0 only if all are), lo + y is y for y ≠ 0, and s·mid is not 0
  ;; for s > 0 (mid ≥ 1), while a zero s has an infinite reciprocal (canonical NaNs, or left to JS).

  ;; Min, max and "all finite" flags of four groups of g = 4n values side by side (group j at p + j·gb,
  ;; gb = 4g bytes): lane j of each result is group j's (lo, hi exact when the group is all finite:
  ;; pmin/pmax skip NaN, and the order of lanes cannot change a min or max but for zero signs, see above).
  (func $range4 (param $p i32) (param $gb i32) (result v128 v128 v128)
    (local $off i32) (local $i i32) (local $v v128)
    (local $l0 v128) (local $l1 v128) (local $l2 v128) (local $l3 v128)
    (local $h0 v128) (local $h1 v128) (local $h2 v128) (local $h3 v128)
    (local $n0 v128) (local $n1 v128) (local $n2 v128) (local $n3 v128)
    (local.set $l0 (v128.const f32x4 inf inf inf inf)) (local.set $l1 (local.get $l0))
    (local.set $l2 (local.get $l0)) (local.set $l3 (local.get $l0))
    (local.set $h0 (v128.const f32x4 -inf -inf -inf -inf)) (local.set $h1 (local.get $h0))
    (local.set $h2 (local.get $h0)) (local.set $h3 (local.get $h0))
    (local.set $n0 (v128.const i32x4 -1 -1 -1 -1)) (local.set $n1 (local.get $n0))
    (local.set $n2 (local.get $n0)) (local.set $n3 (local.get $n0))
    (block $mdone
      (loop $mloop
        (br_if $mdone (i32.ge_u (local.get $off) (local.get $gb)))
        (local.set $i (i32.add (local.get $p) (local.get $off)))
        (local.set $v (v128.load (local.get $i)))
        (local.set $l0 (f32x4.pmin (local.get $l0) (local.get $v)))
        (local.set $h0 (f32x4.pmax (local.get $h0) (local.get $v)))
        (local.set $n0 (v128.and (local.get $n0) (f32x4.lt (f32x4.abs (local.get $v)) (v128.const f32x4 inf inf inf inf))))
        (local.set $i (i32.add (local.get $i) (local.get $gb)))
        (local.set $v (v128.load (local.get $i)))
        (local.set $l1 (f32x4.pmin (local.get $l1) (local.get $v)))
        (local.set $h1 (f32x4.pmax (local.get $h1) (local.get $v)))
        (local.set $n1 (v128.and (local.get $n1) (f32x4.lt (f32x4.abs (local.get $v)) (v128.const f32x4 inf inf inf inf))))
        (local.set $i (i32.add (local.get $i) (local.get $gb)))
        (local.set $v (v128.load (local.get $i)))
        (local.set $l2 (f32x4.pmin (local.get $l2) (local.get $v)))
        (local.set $h2 (f32x4.pmax (local.get $h2) (local.get $v)))
        (local.set $n2 (v128.and (local.get $n2) (f32x4.lt (f32x4.abs (local.get $v)) (v128.const f32x4 inf inf inf inf))))
        (local.set $i (i32.add (local.get $i) (local.get $gb)))
        (local.set $v (v128.load (local.get $i)))
        (local.set $l3 (f32x4.pmin (local.get $l3) (local.get $v)))
        (local.set $h3 (f32x4.pmax (local.get $h3) (local.get $v)))
        (local.set $n3 (v128.and (local.get $n3) (f32x4.lt (f32x4.abs (local.get $v)) (v128.const f32x4 inf inf inf inf))))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $mloop)))
    ;; 4×4 transposes: lane j of the result reduces group j's four lanes.
    (local.set $l0 (f32x4.pmin (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $l0) (local.get $l1)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $l0) (local.get $l1))))
    (local.set $l2 (f32x4.pmin (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $l2) (local.get $l3)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $l2) (local.get $l3))))
    (local.set $h0 (f32x4.pmax (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $h0) (local.get $h1)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $h0) (local.get $h1))))
    (local.set $h2 (f32x4.pmax (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $h2) (local.get $h3)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $h2) (local.get $h3))))
    (local.set $n0 (v128.and (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $n0) (local.get $n1)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $n0) (local.get $n1))))
    (local.set $n2 (v128.and (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $n2) (local.get $n3)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $n2) (local.get $n3))))
    (f32x4.pmin (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $l0) (local.get $l2)) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $l0) (local.get $l2)))
    (f32x4.pmax (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $h0) (local.get $h2)) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $h0) (local.get $h2)))
    (v128.and (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $n0) (local.get $n2)) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $n0) (local.get $n2))))

  ;; Lanes whose two values are both finite (not NaN, not ±inf).
  (func $finite4 (param $a v128) (param $b v128) (result v128)
    (v128.and (f32x4.lt (f32x4.abs (local.get $a)) (v128.const f32x4 inf inf inf inf))
              (f32x4.lt (f32x4.abs (local.get $b)) (v128.const f32x4 inf inf inf inf))))

  ;; $to_i32 lane by lane: truncation, INT_MIN for NaN, ±inf and values outside [−2^31, 2^31).
  (func $to_i32x4 (param $v v128) (result v128)
    (v128.bitselect (i32x4.trunc_sat_f32x4_s (local.get $v)) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)
      (v128.and (f32x4.ge (local.get $v) (v128.const f32x4 -0x1p31 -0x1p31 -0x1p31 -0x1p31))
                (f32x4.lt (local.get $v) (v128.const f32x4 0x1p31 0x1p31 0x1p31 0x1p31)))))

  ;; One asymmetric float32 group at p, INT domain: s = max(f32(f32(hi − lo)/div), eps), z =
  ;; int32(f32(lo + f32(s·mid))) (truncation, INT_MIN for NaN, ±inf or beyond int32), then $quant with
  ;; r = 1/s and f32(z), and canonical NaN outputs when s or r is not finite (a NaN input makes lo, hi,
  ;; s and every output NaN, an infinite one s infinite, as in the JS loop); scale and zero point at sp, zp.
  ;; The scale is stored with its NaN bits: unlike the other kernels' scales it can be a NaN of either
  ;; sign, as in JS: the quiet +NaN for a NaN input (the JS loop's NaN literal; set here explicitly, as
  ;; wasm's f32.min/max may give another NaN), the machine's default NaN (negative on x86) from inf − inf
  ;; when a group is all +inf or all −inf (f32.sub makes the same NaN as JS's float64 sub, and the
  ;; division and clamp pass a NaN operand's bits on, in JS and here alike).
  (func $asym_group (param $p i32) (param $g i32) (param $div f32) (param $eps f32) (param $qmin f32) (param $qmax f32)
        (param $sp i32) (param $zp i32) (param $mid f32)
    (local $lo f32) (local $hi f32) (local $s f32) (local $r f32) (local $zi i32)
    (call $range (local.get $p) (local.get $g))
    (local.set $hi)
    (local.set $lo)
    (local.set $s (select (f32.const nan) (f32.div (f32.sub (local.get $hi) (local.get $lo)) (local.get $div))
      (f32.ne (local.get $lo) (local.get $lo))))
    (local.set $s (select (local.get $eps) (local.get $s) (f32.lt (local.get $s) (local.get $eps))))
    (local.set $r (f32.div (f32.const 1) (local.get $s)))
    (local.set $zi (call $to_i32 (f32.add (local.get $lo) (f32.mul (local.get $s) (local.get $mid)))))
    (call $quant (local.get $p) (local.get $g) (local.get $r) (local.get $s)
      (f32.convert_i32_s (local.get $zi)) (local.get $qmin) (local.get $qmax))
    (if (i32.eqz (call $finite (local.get $s) (local.get $r)))
      (then (call $canon (local.get $p) (local.get $g))))
    (f64.store (local.get $sp) (f64.promote_f32 (local.get $s)))
    (f64.store (local.get $zp) (f64.convert_i32_s (local.get $zi))))

  ;; Asymmetric float32 groups, INT domain (S = float32, Z = int32); scales and zero points as f64 at sp, zp.
  ;; Four groups at a time when a group is whole vectors (g = 4n), as sym_groups does: lane j of the
  ;; qparam vectors computes what $asym_group computes for group j, op for op. The batch runs here when
  ;; all four groups are finite with a finite scale and reciprocal; otherwise its groups run one by one.
  (func (export "asym_groups") (param $p i32) (param $groups i32) (param $g i32)
        (param $div f32) (param $eps f32) (param $qmin f32) (param $qmax f32)
        (param $sp i32) (param $zp i32) (param $mid f32)
    (local $k i32) (local $gb i32) (local $off i32) (local $i i32)
    (local $vlo v128) (local $vhi v128) (local $lo v128) (local $hi v128) (local $ok v128)
    (local $s4 v128) (local $r4 v128) (local $z4 v128) (local $zi4 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128)
    (local.set $vlo (f32x4.splat (local.get $qmin)))
    (local.set $vhi (f32x4.splat (local.get $qmax)))
    (local.set $gb (i32.shl (local.get $g) (i32.const 2)))
    (if (i32.eqz (i32.and (local.get $g) (i32.const 3)))
      (then
        (block $bdone
          (loop $bloop
            (br_if $bdone (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $groups)))
            (call $range4 (local.get $p) (local.get $gb))
            (local.set $ok)
            (local.set $hi)
            (local.set $lo)
            (local.set $s4 (f32x4.pmax (f32x4.div (f32x4.sub (local.get $hi) (local.get $lo)) (f32x4.splat (local.get $div)))
              (f32x4.splat (local.get $eps))))
            (local.set $r4 (f32x4.div (v128.const f32x4 1 1 1 1) (local.get $s4)))
            (local.set $zi4 (call $to_i32x4 (f32x4.add (local.get $lo) (f32x4.mul (local.get $s4) (f32x4.splat (local.get $mid))))))
            (if (i32x4.all_true (v128.and (local.get $ok) (call $finite4 (local.get $s4) (local.get $r4))))
              (then
                (v128.store (local.get $sp) (f64x2.promote_low_f32x4 (local.get $s4)))
                (v128.store offset=16 (local.get $sp)
                  (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $s4) (local.get $s4))))
                (v128.store (local.get $zp) (f64x2.convert_low_i32x4_s (local.get $zi4)))
                (v128.store offset=16 (local.get $zp)
                  (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $zi4) (local.get $zi4))))
                (local.set $z4 (f32x4.convert_i32x4_s (local.get $zi4)))
                (local.set $s0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $s4) (local.get $s4)))
                (local.set $s1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $s4) (local.get $s4)))
                (local.set $s2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $s4) (local.get $s4)))
                (local.set $s3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $s4) (local.get $s4)))
                (local.set $r0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $r4) (local.get $r4)))
                (local.set $r1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $r4) (local.get $r4)))
                (local.set $r2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $r4) (local.get $r4)))
                (local.set $r3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $r4) (local.get $r4)))
                (local.set $z0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $z4) (local.get $z4)))
                (local.set $z1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $z4) (local.get $z4)))
                (local.set $z2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $z4) (local.get $z4)))
                (local.set $z3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $z4) (local.get $z4)))
                ;; The four groups side by side, each as $quant does: y = f32(f32(q − z)·s), q = clamp(rhe(f32(x·r)) + z).
                (local.set $off (i32.const 0))
                (block $qdone4
                  (loop $qloop4
                    (br_if $qdone4 (i32.ge_u (local.get $off) (local.get $gb)))
                    (local.set $i (i32.add (local.get $p) (local.get $off)))
                    (v128.store (local.get $i) (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                      (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r0))) (local.get $z0))
                      (local.get $vlo)) (local.get $vhi)) (local.get $z0)) (local.get $s0)))
                    (local.set $i (i32.add (local.get $i) (local.get $gb)))
                    (v128.store (local.get $i) (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                      (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r1))) (local.get $z1))
                      (local.get $vlo)) (local.get $vhi)) (local.get $z1)) (local.get $s1)))
                    (local.set $i (i32.add (local.get $i) (local.get $gb)))
                    (v128.store (local.get $i) (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                      (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r2))) (local.get $z2))
                      (local.get $vlo)) (local.get $vhi)) (local.get $z2)) (local.get $s2)))
                    (local.set $i (i32.add (local.get $i) (local.get $gb)))
                    (v128.store (local.get $i) (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                      (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r3))) (local.get $z3))
                      (local.get $vlo)) (local.get $vhi)) (local.get $z3)) (local.get $s3)))
                    (local.set $off (i32.add (local.get $off) (i32.const 16)))
                    (br $qloop4))))
              (else
                (call $asym_group (local.get $p) (local.get $g) (local.get $div) (local.get $eps) (local.get $qmin) (local.get $qmax)
                  (local.get $sp) (local.get $zp) (local.get $mid))
                (call $asym_group (i32.add (local.get $p) (local.get $gb)) (local.get $g) (local.get $div) (local.get $eps)
                  (local.get $qmin) (local.get $qmax) (i32.add (local.get $sp) (i32.const 8)) (i32.add (local.get $zp) (i32.const 8)) (local.get $mid))
                (call $asym_group (i32.add (local.get $p) (i32.shl (local.get $gb) (i32.const 1))) (local.get $g) (local.get $div) (local.get $eps)
                  (local.get $qmin) (local.get $qmax) (i32.add (local.get $sp) (i32.const 16)) (i32.add (local.get $zp) (i32.const 16)) (local.get $mid))
                (call $asym_group (i32.add (local.get $p) (i32.mul (local.get $gb) (i32.const 3))) (local.get $g) (local.get $div) (local.get $eps)
                  (local.get $qmin) (local.get $qmax) (i32.add (local.get $sp) (i32.const 24)) (i32.add (local.get $zp) (i32.const 24)) (local.get $mid))))
            (local.set $p (i32.add (local.get $p) (i32.shl (local.get $gb) (i32.const 2))))
            (local.set $sp (i32.add (local.get $sp) (i32.const 32)))
            (local.set $zp (i32.add (local.get $zp) (i32.const 32)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $bloop)))))
    (block $gdone
      (loop $gloop
        (br_if $gdone (i32.ge_u (local.get $k) (local.get $groups)))
        (call $asym_group (local.get $p) (local.get $g) (local.get $div) (local.get $eps) (local.get $qmin) (local.get $qmax)
          (local.get $sp) (local.get $zp) (local.get $mid))
        (local.set $p (i32.add (local.get $p) (local.get $gb)))
        (local.set $sp (i32.add (local.get $sp) (i32.const 8)))
        (local.set $zp (i32.add (local.get $zp) (i32.const 8)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $gloop))))

  ;; y = f32(f32(f32(q − kmid)·s) + z), q = clamp(rhe(f32(f32(x − base)/s)), qmin, qmax), over n floats at p
  ;; (kernel.ts floatBlockF32: true division, no reciprocal). With x, s > 0, base and z finite no output is NaN.
  (func $quant_float (param $p i32) (param $n i32) (param $s f32) (param $base f32) (param $z f32) (param $kmid f32)
                     (param $qmin f32) (param $qmax f32)
    (local $end i32) (local $vend i32) (local $vs v128) (local $vb v128) (local $vz v128) (local $vm v128)
    (local $vlo v128) (local $vhi v128) (local $x f32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $vs (f32x4.splat (local.get $s)))
    (local.set $vb (f32x4.splat (local.get $base)))
    (local.set $vz (f32x4.splat (local.get $z)))
    (local.set $vm (f32x4.splat (local.get $kmid)))
    (local.set $vlo (f32x4.splat (local.get $qmin)))
    (local.set $vhi (f32x4.splat (local.get $qmax)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $p) (local.get $vend)))
        (v128.store (local.get $p) (f32x4.add (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
          (f32x4.nearest (f32x4.div (f32x4.sub (v128.load (local.get $p)) (local.get $vb)) (local.get $vs)))
          (local.get $vlo)) (local.get $vhi)) (local.get $vm)) (local.get $vs)) (local.get $vz)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vloop)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (f32.nearest (f32.div (f32.sub (f32.load (local.get $p)) (local.get $base)) (local.get $s))))
        (local.set $x (select (local.get $qmin) (local.get $x) (f32.lt (local.get $x) (local.get $qmin))))
        (local.set $x (select (local.get $qmax) (local.get $x) (f32.gt (local.get $x) (local.get $qmax))))
        (f32.store (local.get $p) (f32.add (f32.mul (f32.sub (local.get $x) (local.get $kmid)) (local.get $s)) (local.get $z)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $loop))))

  ;; One asymmetric float32 group at p, FLOAT domain (tinygemm, S = Z = float32): s as in $asym_group,
  ;; zf = f32(lo + f32(s·cmid)) kept as a float, base = f32(zf − f32(s·kmid)) (cmid = 2^(b−1), the
  ;; qparams' mid point; kmid = (qmin + qmax + 1)/2, the kernel's), then $quant_float. A group whose
  ;; inputs, s, 1/s, zf or base are not all finite is left untouched with a NaN scale and zero point, for
  ;; the caller to rerun in JS (its NaN outputs are then not always canonical). Returns 1 when it left it.
  (func $asym_float_group (param $p i32) (param $g i32) (param $div f32) (param $eps f32) (param $qmin f32) (param $qmax f32)
        (param $sp i32) (param $zp i32) (param $cmid f32) (param $kmid f32) (result i32)
    (local $lo f32) (local $hi f32) (local $s f32) (local $r f32) (local $zf f32) (local $base f32)
    (call $range (local.get $p) (local.get $g))
    (local.set $hi)
    (local.set $lo)
    (local.set $s (f32.div (f32.sub (local.get $hi) (local.get $lo)) (local.get $div)))
    (local.set $s (select (local.get $eps) (local.get $s) (f32.lt (local.get $s) (local.get $eps))))
    (local.set $r (f32.div (f32.const 1) (local.get $s)))
    (local.set $zf (f32.add (local.get $lo) (f32.mul (local.get $s) (local.get $cmid))))
    (local.set $base (f32.sub (local.get $zf) (f32.mul (local.get $s) (local.get $kmid))))
    (if (i32.and (i32.and (call $finite2 (local.get $lo) (local.get $hi)) (call $finite (local.get $s) (local.get $r)))
                 (call $finite2 (local.get $zf) (local.get $base)))
      (then
        (f64.store (local.get $sp) (f64.promote_f32 (local.get $s)))
        (f64.store (local.get $zp) (f64.promote_f32 (local.get $zf)))
        (call $quant_float (local.get $p) (local.get $g) (local.get $s) (local.get $base) (local.get $zf) (local.get $kmid)
          (local.get $qmin) (local.get $qmax))
        (return (i32.const 0))))
    (f64.store (local.get $sp) (f64.const nan))
    (f64.store (local.get $zp) (f64.const nan))
    (i32.const 1))

  ;; Asymmetric float32 groups, FLOAT domain (tinygemm, S = Z = float32); scales and zero points as f64 at
  ;; sp, zp. Four at a time when g = 4n, as asym_groups (lane j computes $asym_float_group's qparams for
  ;; group j) when all four run here; otherwise one by one. Returns how many groups were left to the caller.
  (func (export "asym_float_groups") (param $p i32) (param $groups i32) (param $g i32)
        (param $div f32) (param $eps f32) (param $qmin f32) (param $qmax f32)
        (param $sp i32) (param $zp i32) (param $cmid f32) (param $kmid f32) (result i32)
    (local $k i32) (local $left i32) (local $gb i32) (local $off i32) (local $i i32)
    (local $vlo v128) (local $vhi v128) (local $vm v128) (local $lo v128) (local $hi v128) (local $ok v128)
    (local $s4 v128) (local $r4 v128) (local $z4 v128) (local $b4 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128)
    (local.set $vlo (f32x4.splat (local.get $qmin)))
    (local.set $vhi (f32x4.splat (local.get $qmax)))
    (local.set $vm (f32x4.splat (local.get $kmid)))
    (local.set $gb (i32.shl (local.get $g) (i32.const 2)))
    (if (i32.eqz (i32.and (local.get $g) (i32.const 3)))
      (then
        (block $bdone
          (loop $bloop
            (br_if $bdone (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $groups)))
            (call $range4 (local.get $p) (local.get $gb))
            (local.set $ok)
            (local.set $hi)
            (local.set $lo)
            (local.set $s4 (f32x4.pmax (f32x4.div (f32x4.sub (local.get $hi) (local.get $lo)) (f32x4.splat (local.get $div)))
              (f32x4.splat (local.get $eps))))
            (local.set $r4 (f32x4.div (v128.const f32x4 1 1 1 1) (local.get $s4)))
            (local.set $z4 (f32x4.add (local.get $lo) (f32x4.mul (local.get $s4) (f32x4.splat (local.get $cmid)))))
            (local.set $b4 (f32x4.sub (local.get $z4) (f32x4.mul (local.get $s4) (local.get $vm))))
            (if (i32x4.all_true (v128.and (v128.and (local.get $ok) (call $finite4 (local.get $s4) (local.get $r4)))
                                          (call $finite4 (local.get $z4) (local.get $b4))))
              (then
                (v128.store (local.get $sp) (f64x2.promote_low_f32x4 (local.get $s4)))
                (v128.store offset=16 (local.get $sp)
                  (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $s4) (local.get $s4))))
                (v128.store (local.get $zp) (f64x2.promote_low_f32x4 (local.get $z4)))
                (v128.store offset=16 (local.get $zp)
                  (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $z4) (local.get $z4))))
                (local.set $s0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $s4) (local.get $s4)))
                (local.set $s1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $s4) (local.get $s4)))
                (local.set $s2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $s4) (local.get $s4)))
                (local.set $s3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $s4) (local.get $s4)))
                (local.set $b0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $b4) (local.get $b4)))
                (local.set $b1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $b4) (local.get $b4)))
                (local.set $b2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $b4) (local.get $b4)))
                (local.set $b3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $b4) (local.get $b4)))
                (local.set $z0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $z4) (local.get $z4)))
                (local.set $z1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $z4) (local.get $z4)))
                (local.set $z2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $z4) (local.get $z4)))
                (local.set $z3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $z4) (local.get $z4)))
                ;; The four groups side by side, each as $quant_float does (four independent division chains).
                (local.set $off (i32.const 0))
                (block $qdone4
                  (loop $qloop4
                    (br_if $qdone4 (i32.ge_u (local.get $off) (local.get $gb)))
                    (local.set $i (i32.add (local.get $p) (local.get $off)))
                    (v128.store (local.get $i) (f32x4.add (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                      (f32x4.nearest (f32x4.div (f32x4.sub (v128.load (local.get $i)) (local.get $b0)) (local.get $s0)))
                      (local.get $vlo)) (local.get $vhi)) (local.get $vm)) (local.get $s0)) (local.get $z0)))
                    (local.set $i (i32.add (local.get $i) (local.get $gb)))
                    (v128.store (local.get $i) (f32x4.add (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                      (f32x4.nearest (f32x4.div (f32x4.sub (v128.load (local.get $i)) (local.get $b1)) (local.get $s1)))
                      (local.get $vlo)) (local.get $vhi)) (local.get $vm)) (local.get $s1)) (local.get $z1)))
                    (local.set $i (i32.add (local.get $i) (local.get $gb)))
                    (v128.store (local.get $i) (f32x4.add (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                      (f32x4.nearest (f32x4.div (f32x4.sub (v128.load (local.get $i)) (local.get $b2)) (local.get $s2)))
                      (local.get $vlo)) (local.get $vhi)) (local.get $vm)) (local.get $s2)) (local.get $z2)))
                    (local.set $i (i32.add (local.get $i) (local.get $gb)))
                    (v128.store (local.get $i) (f32x4.add (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                      (f32x4.nearest (f32x4.div (f32x4.sub (v128.load (local.get $i)) (local.get $b3)) (local.get $s3)))
                      (local.get $vlo)) (local.get $vhi)) (local.get $vm)) (local.get $s3)) (local.get $z3)))
                    (local.set $off (i32.add (local.get $off) (i32.const 16)))
                    (br $qloop4))))
              (else
                (local.set $left (i32.add (local.get $left) (call $asym_float_group (local.get $p) (local.get $g) (local.get $div) (local.get $eps)
                  (local.get $qmin) (local.get $qmax) (local.get $sp) (local.get $zp) (local.get $cmid) (local.get $kmid))))
                (local.set $left (i32.add (local.get $left) (call $asym_float_group (i32.add (local.get $p) (local.get $gb)) (local.get $g) (local.get $div) (local.get $eps)
                  (local.get $qmin) (local.get $qmax) (i32.add (local.get $sp) (i32.const 8)) (i32.add (local.get $zp) (i32.const 8)) (local.get $cmid) (local.get $kmid))))
                (local.set $left (i32.add (local.get $left) (call $asym_float_group (i32.add (local.get $p) (i32.shl (local.get $gb) (i32.const 1))) (local.get $g) (local.get $div) (local.get $eps)
                  (local.get $qmin) (local.get $qmax) (i32.add (local.get $sp) (i32.const 16)) (i32.add (local.get $zp) (i32.const 16)) (local.get $cmid) (local.get $kmid))))
                (local.set $left (i32.add (local.get $left) (call $asym_float_group (i32.add (local.get $p) (i32.mul (local.get $gb) (i32.const 3))) (local.get $g) (local.get $div) (local.get $eps)
                  (local.get $qmin) (local.get $qmax) (i32.add (local.get $sp) (i32.const 24)) (i32.add (local.get $zp) (i32.const 24)) (local.get $cmid) (local.get $kmid))))))
            (local.set $p (i32.add (local.get $p) (i32.shl (local.get $gb) (i32.const 2))))
            (local.set $sp (i32.add (local.get $sp) (i32.const 32)))
            (local.set $zp (i32.add (local.get $zp) (i32.const 32)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $bloop)))))
    (block $gdone
      (loop $gloop
        (br_if $gdone (i32.ge_u (local.get $k) (local.get $groups)))
        (local.set $left (i32.add (local.get $left) (call $asym_float_group (local.get $p) (local.get $g) (local.get $div) (local.get $eps)
          (local.get $qmin) (local.get $qmax) (local.get $sp) (local.get $zp) (local.get $cmid) (local.get $kmid))))
        (local.set $p (i32.add (local.get $p) (local.get $gb)))
        (local.set $sp (i32.add (local.get $sp) (i32.const 8)))
        (local.set $zp (i32.add (local.get $zp) (i32.const 8)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $gloop)))
    (local.get $left))

;; ---- 16-bit compute (W = bfloat16 or float16, S = float32, Z = int32), spec §3.0/§3.4 ----
  ;; Values in memory are float32 holding W values. Every qparam op rounds to W; the kernel's
  ;; products run in float32 (S promotes) and the output is rounded to W. With q an integer of
  ;; at most 8 bits, W(q) and W(q − z) are exact, so y = W(f32(q·s)) (kernel.ts intBlockW16).
  ;; Only groups whose inputs, scale and reciprocal are all finite run here: any other group is
  ;; left untouched with its scale stored, and the caller reruns it in JS (rare; see
  ;; kernel-wasm.ts), so no NaN, infinity or zero-point cast of the edge cases needs a copy here.

  ;; RNE of finite float32 lanes to bfloat16 (upper 16 bits).
  (func $rbf16 (param $v v128) (result v128)
    (v128.and
      (i32x4.add (i32x4.add (local.get $v) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
        (v128.and (i32x4.shr_u (local.get $v) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
      (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))

  ;; RNE of finite float32 lanes to float16 values (as float32): normal range by dropping 13
  ;; mantissa bits, |v| ≥ 65520 → ±inf, below 2^-14 to a multiple of 2^-24 (v·2^24 is exact).
  (func $rf16 (param $v v128) (result v128)
    (local $a v128) (local $n v128)
    (local.set $a (f32x4.abs (local.get $v)))
    (local.set $n (v128.and
      (i32x4.add (i32x4.add (local.get $v) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
        (v128.and (i32x4.shr_u (local.get $v) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
      (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
    (local.set $n (v128.bitselect
      (v128.or (v128.and (local.get $v) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
               (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
      (local.get $n)
      (f32x4.ge (local.get $a) (v128.const f32x4 65520 65520 65520 65520))))
    (v128.bitselect
      (f32x4.mul (f32x4.nearest (f32x4.mul (local.get $v) (v128.const f32x4 16777216 16777216 16777216 16777216)))
                 (v128.const f32x4 0x1p-24 0x1p-24 0x1p-24 0x1p-24))
      (local.get $n)
      (f32x4.lt (local.get $a) (v128.const f32x4 0x1p-14 0x1p-14 0x1p-14 0x1p-14))))

  (func $rw16 (param $v v128) (param $half i32) (result v128)
    (if (result v128) (local.get $half)
      (then (call $rf16 (local.get $v)))
      (else (call $rbf16 (local.get $v)))))

  ;; y = W(f32(q·s)), q = clamp(rhe(f32(x·r)) + z, qmin, qmax) − z, over n floats at p (n ≥ 0, any).
  (func $quant_w16 (param $p i32) (param $n i32) (param $r f32) (param $s f32) (param $z f32)
                   (param $qmin f32) (param $qmax f32) (param $half i32)
    (local $end i32) (local $vend i32) (local $vr v128) (local $vs v128) (local $vz v128)
    (local $vlo v128) (local $vhi v128) (local $q v128) (local $y v128) (local $t v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $vr (f32x4.splat (local.get $r)))
    (local.set $vs (f32x4.splat (local.get $s)))
    (local.set $vz (f32x4.splat (local.get $z)))
    (local.set $vlo (f32x4.splat (local.get $qmin)))
    (local.set $vhi (f32x4.splat (local.get $qmax)))
    (if (local.get $half)
      (then
        (block $hdone
          (loop $hloop
            (br_if $hdone (i32.ge_u (local.get $p) (local.get $vend)))
            (local.set $q (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $p)) (local.get $vr))) (local.get $vz)))
            (local.set $q (f32x4.pmin (f32x4.pmax (local.get $q) (local.get $vlo)) (local.get $vhi)))
            (local.set $y (f32x4.mul (f32x4.sub (local.get $q) (local.get $vz)) (local.get $vs)))
            ;; $rf16 inlined without its subnormal branch: s is a float16 value (a multiple of 2^-24)
            ;; and q an integer, so a y below 2^-14 is a float16 subnormal already, which the normal
            ;; rounding (quantum 2^-25 or finer there) leaves as it is.
            (local.set $t (v128.and
              (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                (v128.and (i32x4.shr_u (local.get $y) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
              (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
            (v128.store (local.get $p) (v128.bitselect
              (v128.or (v128.and (local.get $y) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                       (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
              (local.get $t)
              (f32x4.ge (f32x4.abs (local.get $y)) (v128.const f32x4 65520 65520 65520 65520))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $hloop))))
      (else
        (block $bdone
          (loop $bloop
            (br_if $bdone (i32.ge_u (local.get $p) (local.get $vend)))
            (local.set $q (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $p)) (local.get $vr))) (local.get $vz)))
            (local.set $q (f32x4.pmin (f32x4.pmax (local.get $q) (local.get $vlo)) (local.get $vhi)))
            (local.set $y (f32x4.mul (f32x4.sub (local.get $q) (local.get $vz)) (local.get $vs)))
            ;; $rbf16 inlined: the hot loop of bfloat16 weights.
            (v128.store (local.get $p) (v128.and
              (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                (v128.and (i32x4.shr_u (local.get $y) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
              (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $bloop)))))
    ;; The tail one value at a time, through lane 0 of the same vector ops.
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $q (f32x4.add (f32x4.nearest (f32x4.mul (f32x4.splat (f32.load (local.get $p))) (local.get $vr))) (local.get $vz)))
        (local.set $q (f32x4.pmin (f32x4.pmax (local.get $q) (local.get $vlo)) (local.get $vhi)))
        (f32.store (local.get $p) (f32x4.extract_lane 0
          (call $rw16 (f32x4.mul (f32x4.sub (local.get $q) (local.get $vz)) (local.get $vs)) (local.get $half))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $loop))))

  ;; W(v) of one finite value.
  (func $rw16s (param $v f32) (param $half i32) (result f32)
    (f32x4.extract_lane 0 (call $rw16 (f32x4.splat (local.get $v)) (local.get $half))))

  ;; Symmetric groups in W: m = max|v|, s = max(W(f32(m/div)), eps), z = 0. Returns how many groups
  ;; were left to the caller (a non-finite input, scale or reciprocal).
  (func (export "sym_groups_w16") (param $p i32) (param $groups i32) (param $g i32)
        (param $div f32) (param $eps f32) (param $qmin f32) (param $qmax f32)
        (param $sp i32) (param $zp i32) (param $half i32) (result i32)
    (local $k i32) (local $i i32) (local $vend i32) (local $end i32) (local $left i32)
    (local $acc v128) (local $bad v128) (local $v v128)
    (local $m f32) (local $x f32) (local $s f32) (local $r f32)
    (local $gb i32) (local $off i32) (local $vlo v128) (local $vhi v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $n0 v128) (local $n1 v128) (local $n2 v128) (local $n3 v128)
    (local $h v128) (local $ok v128) (local $s4 v128) (local $r4 v128) (local $y v128) (local $t v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local.set $vlo (f32x4.splat (local.get $qmin)))
    (local.set $vhi (f32x4.splat (local.get $qmax)))
    ;; Four groups at a time when a group is whole vectors (g = 4n), as sym_groups does: their
    ;; maxima land in the lanes of one vector, so the division, the rounding to W, the clamp to eps
    ;; and the reciprocal are one vector op each for four groups. Lane j computes what the
    ;; one-group loop below computes for group j, op for op; a group it would leave is left here too.
    (local.set $gb (i32.shl (local.get $g) (i32.const 2)))
    (if (i32.eqz (i32.and (local.get $g) (i32.const 3)))
      (then
        (block $bdone
          (loop $bloop
            (br_if $bdone (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $groups)))
            (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $n0 (v128.const i32x4 -1 -1 -1 -1)) (local.set $n1 (v128.const i32x4 -1 -1 -1 -1))
            (local.set $n2 (v128.const i32x4 -1 -1 -1 -1)) (local.set $n3 (v128.const i32x4 -1 -1 -1 -1))
            ;; max |v| and "all finite" flags (|v| < inf is false for NaN and ±inf), four groups side by side.
            (local.set $off (i32.const 0))
            (block $mdone
              (loop $mloop
                (br_if $mdone (i32.ge_u (local.get $off) (local.get $gb)))
                (local.set $i (i32.add (local.get $p) (local.get $off)))
                (local.set $v (f32x4.abs (v128.load (local.get $i))))
                (local.set $a0 (f32x4.pmax (local.get $a0) (local.get $v)))
                (local.set $n0 (v128.and (local.get $n0) (f32x4.lt (local.get $v) (v128.const f32x4 inf inf inf inf))))
                (local.set $i (i32.add (local.get $i) (local.get $gb)))
                (local.set $v (f32x4.abs (v128.load (local.get $i))))
                (local.set $a1 (f32x4.pmax (local.get $a1) (local.get $v)))
                (local.set $n1 (v128.and (local.get $n1) (f32x4.lt (local.get $v) (v128.const f32x4 inf inf inf inf))))
                (local.set $i (i32.add (local.get $i) (local.get $gb)))
                (local.set $v (f32x4.abs (v128.load (local.get $i))))
                (local.set $a2 (f32x4.pmax (local.get $a2) (local.get $v)))
                (local.set $n2 (v128.and (local.get $n2) (f32x4.lt (local.get $v) (v128.const f32x4 inf inf inf inf))))
                (local.set $i (i32.add (local.get $i) (local.get $gb)))
                (local.set $v (f32x4.abs (v128.load (local.get $i))))
                (local.set $a3 (f32x4.pmax (local.get $a3) (local.get $v)))
                (local.set $n3 (v128.and (local.get $n3) (f32x4.lt (local.get $v) (v128.const f32x4 inf inf inf inf))))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $mloop)))
            ;; h[j] = max of a_j's lanes and ok[j] = AND of n_j's lanes, by a 4×4 transpose (the a lanes
            ;; hold +0 or more, or +inf, and no NaN: pmax is max and the order cannot matter).
            (local.set $a0 (f32x4.pmax
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a0) (local.get $a1))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a0) (local.get $a1))))
            (local.set $a2 (f32x4.pmax
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a2) (local.get $a3))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a2) (local.get $a3))))
            (local.set $h (f32x4.pmax
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a0) (local.get $a2))
              (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a0) (local.get $a2))))
            (local.set $n0 (v128.and
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $n0) (local.get $n1))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $n0) (local.get $n1))))
            (local.set $n2 (v128.and
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $n2) (local.get $n3))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $n2) (local.get $n3))))
            (local.set $ok (v128.and
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $n0) (local.get $n2))
              (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $n0) (local.get $n2))))
            ;; m = 0 needs no −x[first] here (the one-group loop's sign rule): s is then eps or ±0, and a
            ;; group with s = ±0 has r = ±inf and is left to the caller, whatever the zero's sign.
            ;; s = W(f32(m/div)), NaN for a group with a non-finite input (as the one-group loop's m = NaN),
            ;; then s < eps ? eps : s (pmax) and r = 1/s.
            (local.set $s4 (v128.bitselect
              (call $rw16 (f32x4.div (local.get $h) (f32x4.splat (local.get $div))) (local.get $half))
              (v128.const f32x4 nan nan nan nan) (local.get $ok)))
            (local.set $s4 (f32x4.pmax (local.get $s4) (f32x4.splat (local.get $eps))))
            (local.set $r4 (f32x4.div (v128.const f32x4 1 1 1 1) (local.get $s4)))
            (v128.store (local.get $sp) (f64x2.promote_low_f32x4 (local.get $s4)))
            (v128.store offset=16 (local.get $sp)
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $s4) (local.get $s4))))
            (v128.store (local.get $zp) (v128.const i64x2 0 0))
            (v128.store offset=16 (local.get $zp) (v128.const i64x2 0 0))
            ;; Lanes whose scale and reciprocal are both finite run here.
            (local.set $ok (v128.and
              (f32x4.lt (f32x4.abs (local.get $s4)) (v128.const f32x4 inf inf inf inf))
              (f32x4.lt (f32x4.abs (local.get $r4)) (v128.const f32x4 inf inf inf inf))))
            (if (i32x4.all_true (local.get $ok))
              (then
                (local.set $s0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $s4) (local.get $s4)))
                (local.set $s1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $s4) (local.get $s4)))
                (local.set $s2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $s4) (local.get $s4)))
                (local.set $s3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $s4) (local.get $s4)))
                (local.set $r0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $r4) (local.get $r4)))
                (local.set $r1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $r4) (local.get $r4)))
                (local.set $r2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $r4) (local.get $r4)))
                (local.set $r3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $r4) (local.get $r4)))
                ;; Quantize the four groups side by side, as $quant_w16 does (z = 0; (q − 0)·s is q·s,
                ;; q never being −0 after + 0), with its W rounding of the outputs inlined.
                (local.set $off (i32.const 0))
                ;; float16 outputs overflow only when |q|·s can reach 65520: when the largest |q| times
                ;; each scale stays below (a product rounds monotonically), the infinity check is dropped.
                (if (i32.and (local.get $half) (i32x4.all_true (f32x4.lt
                      (f32x4.mul (local.get $s4) (f32x4.splat (f32.max (f32.abs (local.get $qmin)) (f32.abs (local.get $qmax)))))
                      (v128.const f32x4 65520 65520 65520 65520))))
                  (then
                    (block $ndone4
                      (loop $nloop4
                        (br_if $ndone4 (i32.ge_u (local.get $off) (local.get $gb)))
                        (local.set $i (i32.add (local.get $p) (local.get $off)))
                        (local.set $y (f32x4.mul (f32x4.pmin (f32x4.pmax
                          (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r0))) (v128.const i32x4 0 0 0 0))
                          (local.get $vlo)) (local.get $vhi)) (local.get $s0)))
                        (v128.store (local.get $i) (v128.and
                          (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                            (v128.and (i32x4.shr_u (local.get $y) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                          (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                        (local.set $i (i32.add (local.get $i) (local.get $gb)))
                        (local.set $y (f32x4.mul (f32x4.pmin (f32x4.pmax
                          (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r1))) (v128.const i32x4 0 0 0 0))
                          (local.get $vlo)) (local.get $vhi)) (local.get $s1)))
                        (v128.store (local.get $i) (v128.and
                          (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                            (v128.and (i32x4.shr_u (local.get $y) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                          (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                        (local.set $i (i32.add (local.get $i) (local.get $gb)))
                        (local.set $y (f32x4.mul (f32x4.pmin (f32x4.pmax
                          (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r2))) (v128.const i32x4 0 0 0 0))
                          (local.get $vlo)) (local.get $vhi)) (local.get $s2)))
                        (v128.store (local.get $i) (v128.and
                          (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                            (v128.and (i32x4.shr_u (local.get $y) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                          (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                        (local.set $i (i32.add (local.get $i) (local.get $gb)))
                        (local.set $y (f32x4.mul (f32x4.pmin (f32x4.pmax
                          (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r3))) (v128.const i32x4 0 0 0 0))
                          (local.get $vlo)) (local.get $vhi)) (local.get $s3)))
                        (v128.store (local.get $i) (v128.and
                          (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                            (v128.and (i32x4.shr_u (local.get $y) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                          (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                        (local.set $off (i32.add (local.get $off) (i32.const 16)))
                        (br $nloop4))))
                  (else
                  (if (local.get $half)
                    (then
                      (block $hdone4
                        (loop $hloop4
                          (br_if $hdone4 (i32.ge_u (local.get $off) (local.get $gb)))
                          (local.set $i (i32.add (local.get $p) (local.get $off)))
                          (local.set $y (f32x4.mul (f32x4.pmin (f32x4.pmax
                            (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r0))) (v128.const i32x4 0 0 0 0))
                            (local.get $vlo)) (local.get $vhi)) (local.get $s0)))
                          (local.set $t (v128.and
                            (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                              (v128.and (i32x4.shr_u (local.get $y) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                            (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                          (v128.store (local.get $i) (v128.bitselect
                            (v128.or (v128.and (local.get $y) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                                     (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                            (local.get $t)
                            (f32x4.ge (f32x4.abs (local.get $y)) (v128.const f32x4 65520 65520 65520 65520))))
                          (local.set $i (i32.add (local.get $i) (local.get $gb)))
                          (local.set $y (f32x4.mul (f32x4.pmin (f32x4.pmax
                            (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r1))) (v128.const i32x4 0 0 0 0))
                            (local.get $vlo)) (local.get $vhi)) (local.get $s1)))
                          (local.set $t (v128.and
                            (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                              (v128.and (i32x4.shr_u (local.get $y) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                            (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                          (v128.store (local.get $i) (v128.bitselect
                            (v128.or (v128.and (local.get $y) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                                     (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                            (local.get $t)
                            (f32x4.ge (f32x4.abs (local.get $y)) (v128.const f32x4 65520 65520 65520 65520))))
                          (local.set $i (i32.add (local.get $i) (local.get $gb)))
                          (local.set $y (f32x4.mul (f32x4.pmin (f32x4.pmax
                            (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r2))) (v128.const i32x4 0 0 0 0))
                            (local.get $vlo)) (local.get $vhi)) (local.get $s2)))
                          (local.set $t (v128.and
                            (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                              (v128.and (i32x4.shr_u (local.get $y) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                            (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                          (v128.store (local.get $i) (v128.bitselect
                            (v128.or (v128.and (local.get $y) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                                     (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                            (local.get $t)
                            (f32x4.ge (f32x4.abs (local.get $y)) (v128.const f32x4 65520 65520 65520 65520))))
                          (local.set $i (i32.add (local.get $i) (local.get $gb)))
                          (local.set $y (f32x4.mul (f32x4.pmin (f32x4.pmax
                            (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r3))) (v128.const i32x4 0 0 0 0))
                            (local.get $vlo)) (local.get $vhi)) (local.get $s3)))
                          (local.set $t (v128.and
                            (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                              (v128.and (i32x4.shr_u (local.get $y) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                            (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                          (v128.store (local.get $i) (v128.bitselect
                            (v128.or (v128.and (local.get $y) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                                     (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                            (local.get $t)
                            (f32x4.ge (f32x4.abs (local.get $y)) (v128.const f32x4 65520 65520 65520 65520))))
                          (local.set $off (i32.add (local.get $off) (i32.const 16)))
                          (br $hloop4))))
                    (else
                      (block $qdone4
                        (loop $qloop4
                          (br_if $qdone4 (i32.ge_u (local.get $off) (local.get $gb)))
                          (local.set $i (i32.add (local.get $p) (local.get $off)))
                          (local.set $y (f32x4.mul (f32x4.pmin (f32x4.pmax
                            (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r0))) (v128.const i32x4 0 0 0 0))
                            (local.get $vlo)) (local.get $vhi)) (local.get $s0)))
                          (v128.store (local.get $i) (v128.and
                            (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                              (v128.and (i32x4.shr_u (local.get $y) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                            (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))
                          (local.set $i (i32.add (local.get $i) (local.get $gb)))
                          (local.set $y (f32x4.mul (f32x4.pmin (f32x4.pmax
                            (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r1))) (v128.const i32x4 0 0 0 0))
                            (local.get $vlo)) (local.get $vhi)) (local.get $s1)))
                          (v128.store (local.get $i) (v128.and
                            (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                              (v128.and (i32x4.shr_u (local.get $y) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                            (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))
                          (local.set $i (i32.add (local.get $i) (local.get $gb)))
                          (local.set $y (f32x4.mul (f32x4.pmin (f32x4.pmax
                            (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r2))) (v128.const i32x4 0 0 0 0))
                            (local.get $vlo)) (local.get $vhi)) (local.get $s2)))
                          (v128.store (local.get $i) (v128.and
                            (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                              (v128.and (i32x4.shr_u (local.get $y) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                            (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))
                          (local.set $i (i32.add (local.get $i) (local.get $gb)))
                          (local.set $y (f32x4.mul (f32x4.pmin (f32x4.pmax
                            (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r3))) (v128.const i32x4 0 0 0 0))
                            (local.get $vlo)) (local.get $vhi)) (local.get $s3)))
                          (v128.store (local.get $i) (v128.and
                            (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                              (v128.and (i32x4.shr_u (local.get $y) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                            (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))
                          (local.set $off (i32.add (local.get $off) (i32.const 16)))
                          (br $qloop4))))))))
              (else
                ;; Lane by lane: a group with a finite scale and reciprocal runs alone, any other is left.
                (if (i32x4.extract_lane 0 (local.get $ok))
                  (then (call $quant_w16 (local.get $p) (local.get $g)
                          (f32x4.extract_lane 0 (local.get $r4)) (f32x4.extract_lane 0 (local.get $s4)) (f32.const 0)
                          (local.get $qmin) (local.get $qmax) (local.get $half)))
                  (else (local.set $left (i32.add (local.get $left) (i32.const 1)))))
                (if (i32x4.extract_lane 1 (local.get $ok))
                  (then (call $quant_w16 (i32.add (local.get $p) (local.get $gb)) (local.get $g)
                          (f32x4.extract_lane 1 (local.get $r4)) (f32x4.extract_lane 1 (local.get $s4)) (f32.const 0)
                          (local.get $qmin) (local.get $qmax) (local.get $half)))
                  (else (local.set $left (i32.add (local.get $left) (i32.const 1)))))
                (if (i32x4.extract_lane 2 (local.get $ok))
                  (then (call $quant_w16 (i32.add (local.get $p) (i32.shl (local.get $gb) (i32.const 1))) (local.get $g)
                          (f32x4.extract_lane 2 (local.get $r4)) (f32x4.extract_lane 2 (local.get $s4)) (f32.const 0)
                          (local.get $qmin) (local.get $qmax) (local.get $half)))
                  (else (local.set $left (i32.add (local.get $left) (i32.const 1)))))
                (if (i32x4.extract_lane 3 (local.get $ok))
                  (then (call $quant_w16 (i32.add (local.get $p) (i32.mul (local.get $gb) (i32.const 3))) (local.get $g)
                          (f32x4.extract_lane 3 (local.get $r4)) (f32x4.extract_lane 3 (local.get $s4)) (f32.const 0)
                          (local.get $qmin) (local.get $qmax) (local.get $half)))
                  (else (local.set $left (i32.add (local.get $left) (i32.const 1)))))))
            (local.set $p (i32.add (local.get $p) (i32.shl (local.get $gb) (i32.const 2))))
            (local.set $sp (i32.add (local.get $sp) (i32.const 32)))
            (local.set $zp (i32.add (local.get $zp) (i32.const 32)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $bloop)))))
    (block $gdone
      (loop $gloop
        (br_if $gdone (i32.ge_u (local.get $k) (local.get $groups)))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $g) (i32.const 2))))
        (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $g) (i32.const -4)) (i32.const 2))))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $bad (v128.const i32x4 0 0 0 0))
        (local.set $i (local.get $p))
        (block $vdone
          (loop $vloop
            (br_if $vdone (i32.ge_u (local.get $i) (local.get $vend)))
            (local.set $v (f32x4.abs (v128.load (local.get $i))))
            (local.set $acc (f32x4.pmax (local.get $acc) (local.get $v)))
            ;; NaN or infinity: !(|v| < inf).
            (local.set $bad (v128.or (local.get $bad) (v128.not (f32x4.lt (local.get $v) (v128.const f32x4 inf inf inf inf)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $vloop)))
        (local.set $m (f32.max
          (f32.max (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
          (f32.max (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (if (v128.any_true (local.get $bad)) (then (local.set $m (f32.const nan))))
        (block $done
          (loop $loop
            (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $x (f32.abs (f32.load (local.get $i))))
            (if (i32.eqz (f32.lt (local.get $x) (f32.const inf))) (then (local.set $x (f32.const nan))))
            (local.set $m (f32.max (local.get $m) (local.get $x)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $loop)))
        (if (f32.eq (local.get $m) (f32.const 0))
          (then (local.set $m (f32.neg (f32.load (local.get $p))))))
        (local.set $s (f32.const nan))
        (local.set $r (f32.const nan))
        (if (f32.eq (local.get $m) (local.get $m))
          (then
            (local.set $s (call $rw16s (f32.div (local.get $m) (local.get $div)) (local.get $half)))
            (local.set $s (select (local.get $eps) (local.get $s) (f32.lt (local.get $s) (local.get $eps))))
            (local.set $r (f32.div (f32.const 1) (local.get $s)))))
        (f64.store (local.get $sp) (f64.promote_f32 (local.get $s)))
        (f64.store (local.get $zp) (f64.const 0))
        (if (call $finite (local.get $s) (local.get $r))
          (then (call $quant_w16 (local.get $p) (local.get $g) (local.get $r) (local.get $s) (f32.const 0)
                  (local.get $qmin) (local.get $qmax) (local.get $half)))
          (else (local.set $left (i32.add (local.get $left) (i32.const 1)))))
        (local.set $p (local.get $end))
        (local.set $sp (i32.add (local.get $sp) (i32.const 8)))
        (local.set $zp (i32.add (local.get $zp) (i32.const 8)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $gloop)))
    (local.get $left))

;; ---- 16-bit asymmetric and per-token ----
  ;; Asymmetric per_group/per_channel (get_groupwise_affine_qparams) and per_token (always asymmetric)
  ;; computed in W = bfloat16 or float16, S = float32, Z = int32: qparams.ts kinds 2 and 0 and kernel.ts
  ;; intBlockW16 / intBlockW16Zero, op for op. As in sym_groups_w16, a group (or token) whose inputs
  ;; are not all finite, or whose scale or reciprocal is not finite, is left untouched (its scale not
  ;; finite) for the caller to rerun in JS. With the inputs, s and 1/s finite no output is NaN:
  ;; f32(x·r) is finite or ±inf, rhe(·) + z clamps to a finite integer q, and s > 0.

  ;; min and max of n floats at p (n ≥ 1), both NaN when any value is NaN (pmin/pmax skip NaN as the
  ;; JS loop does; the flags record it). The sign of a zero min or max may differ from the JS loop's
  ;; (which keeps the first of equal values): no qparam below depends on it while s > 0, and a zero
  ;; s (eps ≤ 0) has an infinite reciprocal, so such a group is left to JS whatever the sign.
  (func $range (param $p i32) (param $n i32) (result f32 f32)
    (local $end i32) (local $vend i32) (local $v2end i32)
    (local $vlo v128) (local $vhi v128) (local $nan v128) (local $v v128)
    (local $vlo2 v128) (local $vhi2 v128) (local $nan2 v128) (local $w v128)
    (local $lo f32) (local $hi f32) (local $x f32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $v2end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (local.set $vlo (f32x4.splat (f32.const inf)))
    (local.set $vhi (f32x4.splat (f32.const -inf)))
    (local.set $vlo2 (local.get $vlo))
    (local.set $vhi2 (local.get $vhi))
    ;; Two vectors an iteration into two sets of accumulators, as asym_tokens does (independent chains).
    (block $v2done
      (loop $v2loop
        (br_if $v2done (i32.ge_u (local.get $p) (local.get $v2end)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $w (v128.load offset=16 (local.get $p)))
        (local.set $vlo (f32x4.pmin (local.get $vlo) (local.get $v)))
        (local.set $vhi (f32x4.pmax (local.get $vhi) (local.get $v)))
        (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
        (local.set $vlo2 (f32x4.pmin (local.get $vlo2) (local.get $w)))
        (local.set $vhi2 (f32x4.pmax (local.get $vhi2) (local.get $w)))
        (local.set $nan2 (v128.or (local.get $nan2) (f32x4.ne (local.get $w) (local.get $w))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $v2loop)))
    (local.set $vlo (f32x4.pmin (local.get $vlo) (local.get $vlo2)))
    (local.set $vhi (f32x4.pmax (local.get $vhi) (local.get $vhi2)))
    (local.set $nan (v128.or (local.get $nan) (local.get $nan2)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $p) (local.get $vend)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $vlo (f32x4.pmin (local.get $vlo) (local.get $v)))
        (local.set $vhi (f32x4.pmax (local.get $vhi) (local.get $v)))
        (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vloop)))
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
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (f32.load (local.get $p)))
        (local.set $lo (f32.min (local.get $lo) (local.get $x))) ;; f32.min/max propagate NaN
        (local.set $hi (f32.max (local.get $hi) (local.get $x)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $loop)))
    (local.get $lo) (local.get $hi))

  ;; 1 when lo and hi are both finite (not NaN, not ±inf).
  (func $finite2 (param $lo f32) (param $hi f32) (result i32)
    (i32.and (f32.lt (f32.abs (local.get $lo)) (f32.const inf))
             (f32.lt (f32.abs (local.get $hi)) (f32.const inf))))

  ;; static_cast<int32_t>(v) as x86-64 gives it (castToInt): truncation; NaN, ±inf and values outside
  ;; [−2^31, 2^31) give INT_MIN (trunc_sat alone would saturate to INT_MAX above).
  (func $to_i32 (param $v f32) (result i32)
    (select (i32.trunc_sat_f32_s (local.get $v)) (i32.const 0x80000000)
      (i32.and (f32.ge (local.get $v) (f32.const -0x1p31)) (f32.lt (local.get $v) (f32.const 0x1p31)))))

  ;; y = W(f32(d·s)), d = W(f32(q − zW)), q = clamp(rhe(f32(x·r)) + zf, qmin, qmax), over n floats at p:
  ;; kernel.ts intBlockW16 for a zero point far from 0, where q − z is not exact in W (zf = f32(z),
  ;; zW = W(f32(z)), which is ±inf in float16 for |z| ≥ 65520). q − zW is an integer or ±inf and s a
  ;; W value, so $rw16 (exact on finite values and ±inf) rounds both products as JS does.
  (func $quant_w16z (param $p i32) (param $n i32) (param $r f32) (param $s f32) (param $zf f32) (param $zw f32)
                    (param $qmin f32) (param $qmax f32) (param $half i32)
    (local $end i32) (local $vend i32) (local $vr v128) (local $vs v128) (local $vz v128) (local $vw v128)
    (local $vlo v128) (local $vhi v128) (local $q v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $vr (f32x4.splat (local.get $r)))
    (local.set $vs (f32x4.splat (local.get $s)))
    (local.set $vz (f32x4.splat (local.get $zf)))
    (local.set $vw (f32x4.splat (local.get $zw)))
    (local.set $vlo (f32x4.splat (local.get $qmin)))
    (local.set $vhi (f32x4.splat (local.get $qmax)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $p) (local.get $vend)))
        (local.set $q (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $p)) (local.get $vr))) (local.get $vz)))
        (local.set $q (f32x4.pmin (f32x4.pmax (local.get $q) (local.get $vlo)) (local.get $vhi)))
        (v128.store (local.get $p) (call $rw16 (f32x4.mul
          (call $rw16 (f32x4.sub (local.get $q) (local.get $vw)) (local.get $half)) (local.get $vs)) (local.get $half)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vloop)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $q (f32x4.add (f32x4.nearest (f32x4.mul (f32x4.splat (f32.load (local.get $p))) (local.get $vr))) (local.get $vz)))
        (local.set $q (f32x4.pmin (f32x4.pmax (local.get $q) (local.get $vlo)) (local.get $vhi)))
        (f32.store (local.get $p) (f32x4.extract_lane 0 (call $rw16 (f32x4.mul
          (call $rw16 (f32x4.sub (local.get $q) (local.get $vw)) (local.get $half)) (local.get $vs)) (local.get $half))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $loop))))

  ;; One asymmetric group in W (tinygemm qparams, zero not forced into the range) at p, its scale and zero
  ;; point stored at sp and zp: s = max(W(f32(W(f32(hi − lo))/div)), eps), zf = W(f32(lo + W(f32(s·mid)))),
  ;; z = int32(zf) (truncation). Returns 1 when it left the group to the caller, else 0.
  ;; zlo, zhi: the zero points for which q − z is exact in W, and W(z) = z, for every q ∈ [qmin, qmax]
  ;; (z ∈ [qmax − 256, qmin + 256]): then $quant_w16 computes what $quant_w16z does, with fewer ops.
  (func $asym_group_w16 (param $p i32) (param $g i32) (param $div f32) (param $eps f32) (param $qmin f32) (param $qmax f32)
        (param $sp i32) (param $zp i32) (param $half i32) (param $mid f32) (param $zlo i32) (param $zhi i32) (result i32)
    (local $lo f32) (local $hi f32) (local $s f32) (local $r f32) (local $zi i32)
    (call $range (local.get $p) (local.get $g))
    (local.set $hi)
    (local.set $lo)
    (local.set $s (f32.const nan))
    (local.set $r (f32.const nan))
    ;; A NaN or infinite input makes torch's s NaN or infinite: such a group is left (s = NaN here).
    (if (call $finite2 (local.get $lo) (local.get $hi))
      (then
        (local.set $s (call $rw16s
          (f32.div (call $rw16s (f32.sub (local.get $hi) (local.get $lo)) (local.get $half)) (local.get $div))
          (local.get $half)))
        (local.set $s (select (local.get $eps) (local.get $s) (f32.lt (local.get $s) (local.get $eps))))
        (local.set $r (f32.div (f32.const 1) (local.get $s)))))
    (f64.store (local.get $sp) (f64.promote_f32 (local.get $s)))
    (if (i32.eqz (call $finite (local.get $s) (local.get $r)))
      (then
        (f64.store (local.get $zp) (f64.const 0))
        (return (i32.const 1))))
    ;; s > 0 here (a zero s has an infinite reciprocal), so s·mid ≥ s and zf is lo plus a positive W value.
    (local.set $zi (call $to_i32 (call $rw16s
      (f32.add (local.get $lo) (call $rw16s (f32.mul (local.get $s) (local.get $mid)) (local.get $half)))
      (local.get $half))))
    (f64.store (local.get $zp) (f64.convert_i32_s (local.get $zi)))
    (if (i32.and (i32.ge_s (local.get $zi) (local.get $zlo)) (i32.le_s (local.get $zi) (local.get $zhi)))
      (then (call $quant_w16 (local.get $p) (local.get $g) (local.get $r) (local.get $s)
              (f32.convert_i32_s (local.get $zi)) (local.get $qmin) (local.get $qmax) (local.get $half)))
      (else (call $quant_w16z (local.get $p) (local.get $g) (local.get $r) (local.get $s)
              (f32.convert_i32_s (local.get $zi))
              (call $rw16s (f32.convert_i32_s (local.get $zi)) (local.get $half))
              (local.get $qmin) (local.get $qmax) (local.get $half))))
    (i32.const 0))

  ;; Asymmetric groups in W ($asym_group_w16 for each). Returns how many groups were left to the caller.
  (func (export "asym_groups_w16") (param $p i32) (param $groups i32) (param $g i32)
        (param $div f32) (param $eps f32) (param $qmin f32) (param $qmax f32)
        (param $sp i32) (param $zp i32) (param $half i32) (param $mid f32) (result i32)
    (local $k i32) (local $left i32) (local $zlo i32) (local $zhi i32) (local $gb i32) (local $off i32) (local $i i32)
    (local $v v128) (local $vlo v128) (local $vhi v128) (local $y v128) (local $t v128)
    (local $l0 v128) (local $l1 v128) (local $l2 v128) (local $l3 v128)
    (local $h0 v128) (local $h1 v128) (local $h2 v128) (local $h3 v128)
    (local $n0 v128) (local $n1 v128) (local $n2 v128) (local $n3 v128)
    (local $lo v128) (local $hi v128) (local $ok v128) (local $s4 v128) (local $r4 v128) (local $z4 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128)
    (local.set $zlo (i32.sub (i32.trunc_sat_f32_s (local.get $qmax)) (i32.const 256)))
    (local.set $zhi (i32.add (i32.trunc_sat_f32_s (local.get $qmin)) (i32.const 256)))
    (local.set $vlo (f32x4.splat (local.get $qmin)))
    (local.set $vhi (f32x4.splat (local.get $qmax)))
    ;; Four groups at a time when a group is whole vectors (g = 4n), as sym_groups_w16 does: their minima
    ;; and maxima land in the lanes of one vector each, so the qparam chain (two roundings to W, the eps
    ;; clamp, the reciprocal, the zero point and its cast) is one vector op each for four groups. Lane j
    ;; computes what $asym_group_w16 computes for group j, op for op. The batch runs here only when every
    ;; lane's inputs, s and 1/s are finite and its zero point takes $quant_w16's exact path; otherwise the
    ;; four groups run one by one through $asym_group_w16 (which leaves any it must to the caller).
    (local.set $gb (i32.shl (local.get $g) (i32.const 2)))
    (if (i32.eqz (i32.and (local.get $g) (i32.const 3)))
      (then
        (block $bdone
          (loop $bloop
            (br_if $bdone (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $groups)))
            (local.set $l0 (v128.const f32x4 inf inf inf inf)) (local.set $l1 (local.get $l0))
            (local.set $l2 (local.get $l0)) (local.set $l3 (local.get $l0))
            (local.set $h0 (v128.const f32x4 -inf -inf -inf -inf)) (local.set $h1 (local.get $h0))
            (local.set $h2 (local.get $h0)) (local.set $h3 (local.get $h0))
            (local.set $n0 (v128.const i32x4 -1 -1 -1 -1)) (local.set $n1 (local.get $n0))
            (local.set $n2 (local.get $n0)) (local.set $n3 (local.get $n0))
            ;; min, max (pmin/pmax skip NaN) and "all finite" flags, four groups side by side.
            (local.set $off (i32.const 0))
            (block $mdone
              (loop $mloop
                (br_if $mdone (i32.ge_u (local.get $off) (local.get $gb)))
                (local.set $i (i32.add (local.get $p) (local.get $off)))
                (local.set $v (v128.load (local.get $i)))
                (local.set $l0 (f32x4.pmin (local.get $l0) (local.get $v)))
                (local.set $h0 (f32x4.pmax (local.get $h0) (local.get $v)))
                (local.set $n0 (v128.and (local.get $n0) (f32x4.lt (f32x4.abs (local.get $v)) (v128.const f32x4 inf inf inf inf))))
                (local.set $i (i32.add (local.get $i) (local.get $gb)))
                (local.set $v (v128.load (local.get $i)))
                (local.set $l1 (f32x4.pmin (local.get $l1) (local.get $v)))
                (local.set $h1 (f32x4.pmax (local.get $h1) (local.get $v)))
                (local.set $n1 (v128.and (local.get $n1) (f32x4.lt (f32x4.abs (local.get $v)) (v128.const f32x4 inf inf inf inf))))
                (local.set $i (i32.add (local.get $i) (local.get $gb)))
                (local.set $v (v128.load (local.get $i)))
                (local.set $l2 (f32x4.pmin (local.get $l2) (local.get $v)))
                (local.set $h2 (f32x4.pmax (local.get $h2) (local.get $v)))
                (local.set $n2 (v128.and (local.get $n2) (f32x4.lt (f32x4.abs (local.get $v)) (v128.const f32x4 inf inf inf inf))))
                (local.set $i (i32.add (local.get $i) (local.get $gb)))
                (local.set $v (v128.load (local.get $i)))
                (local.set $l3 (f32x4.pmin (local.get $l3) (local.get $v)))
                (local.set $h3 (f32x4.pmax (local.get $h3) (local.get $v)))
                (local.set $n3 (v128.and (local.get $n3) (f32x4.lt (f32x4.abs (local.get $v)) (v128.const f32x4 inf inf inf inf))))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $mloop)))
            ;; lo[j], hi[j] = min, max of l_j's, h_j's lanes and ok[j] = AND of n_j's lanes, by 4×4 transposes.
            ;; Lanes of a group that is not all finite are discarded below, whatever they hold.
            (local.set $l0 (f32x4.pmin (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $l0) (local.get $l1)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $l0) (local.get $l1))))
            (local.set $l2 (f32x4.pmin (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $l2) (local.get $l3)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $l2) (local.get $l3))))
            (local.set $lo (f32x4.pmin (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $l0) (local.get $l2)) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $l0) (local.get $l2))))
            (local.set $h0 (f32x4.pmax (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $h0) (local.get $h1)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $h0) (local.get $h1))))
            (local.set $h2 (f32x4.pmax (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $h2) (local.get $h3)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $h2) (local.get $h3))))
            (local.set $hi (f32x4.pmax (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $h0) (local.get $h2)) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $h0) (local.get $h2))))
            (local.set $n0 (v128.and (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $n0) (local.get $n1)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $n0) (local.get $n1))))
            (local.set $n2 (v128.and (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $n2) (local.get $n3)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $n2) (local.get $n3))))
            (local.set $ok (v128.and (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $n0) (local.get $n2)) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $n0) (local.get $n2))))
            (local.set $s4 (call $rw16 (f32x4.div (call $rw16 (f32x4.sub (local.get $hi) (local.get $lo)) (local.get $half))
              (f32x4.splat (local.get $div))) (local.get $half)))
            (local.set $s4 (f32x4.pmax (local.get $s4) (f32x4.splat (local.get $eps))))
            (local.set $r4 (f32x4.div (v128.const f32x4 1 1 1 1) (local.get $s4)))
            (local.set $z4 (i32x4.trunc_sat_f32x4_s (call $rw16
              (f32x4.add (local.get $lo) (call $rw16 (f32x4.mul (local.get $s4) (f32x4.splat (local.get $mid))) (local.get $half)))
              (local.get $half))))
            ;; A zero point beyond int32 saturates here, outside [zlo, zhi]: that lane goes the one-by-one way.
            (local.set $ok (v128.and (v128.and (local.get $ok)
                (v128.and (f32x4.lt (f32x4.abs (local.get $s4)) (v128.const f32x4 inf inf inf inf))
                          (f32x4.lt (f32x4.abs (local.get $r4)) (v128.const f32x4 inf inf inf inf))))
              (v128.and (i32x4.ge_s (local.get $z4) (i32x4.splat (local.get $zlo)))
                        (i32x4.le_s (local.get $z4) (i32x4.splat (local.get $zhi))))))
            (if (i32x4.all_true (local.get $ok))
              (then
                (v128.store (local.get $sp) (f64x2.promote_low_f32x4 (local.get $s4)))
                (v128.store offset=16 (local.get $sp)
                  (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $s4) (local.get $s4))))
                (v128.store (local.get $zp) (f64x2.convert_low_i32x4_s (local.get $z4)))
                (v128.store offset=16 (local.get $zp)
                  (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $z4) (local.get $z4))))
                (local.set $z4 (f32x4.convert_i32x4_s (local.get $z4)))
                (local.set $s0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $s4) (local.get $s4)))
                (local.set $s1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $s4) (local.get $s4)))
                (local.set $s2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $s4) (local.get $s4)))
                (local.set $s3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $s4) (local.get $s4)))
                (local.set $r0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $r4) (local.get $r4)))
                (local.set $r1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $r4) (local.get $r4)))
                (local.set $r2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $r4) (local.get $r4)))
                (local.set $r3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $r4) (local.get $r4)))
                (local.set $z0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $z4) (local.get $z4)))
                (local.set $z1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $z4) (local.get $z4)))
                (local.set $z2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $z4) (local.get $z4)))
                (local.set $z3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $z4) (local.get $z4)))
                ;; Quantize the four groups side by side, as $quant_w16 does, its rounding to W inlined.
                (local.set $off (i32.const 0))
                (if (local.get $half)
                  (then
                    (block $hdone4
                      (loop $hloop4
                        (br_if $hdone4 (i32.ge_u (local.get $off) (local.get $gb)))
                        (local.set $i (i32.add (local.get $p) (local.get $off)))
                        (local.set $y (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                          (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r0))) (local.get $z0))
                          (local.get $vlo)) (local.get $vhi)) (local.get $z0)) (local.get $s0)))
                        (local.set $t (v128.and
                          (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                            (v128.and (i32x4.shr_u (local.get $y) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                          (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                        (v128.store (local.get $i) (v128.bitselect
                          (v128.or (v128.and (local.get $y) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                                   (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                          (local.get $t)
                          (f32x4.ge (f32x4.abs (local.get $y)) (v128.const f32x4 65520 65520 65520 65520))))
                        (local.set $i (i32.add (local.get $i) (local.get $gb)))
                        (local.set $y (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                          (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r1))) (local.get $z1))
                          (local.get $vlo)) (local.get $vhi)) (local.get $z1)) (local.get $s1)))
                        (local.set $t (v128.and
                          (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                            (v128.and (i32x4.shr_u (local.get $y) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                          (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                        (v128.store (local.get $i) (v128.bitselect
                          (v128.or (v128.and (local.get $y) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                                   (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                          (local.get $t)
                          (f32x4.ge (f32x4.abs (local.get $y)) (v128.const f32x4 65520 65520 65520 65520))))
                        (local.set $i (i32.add (local.get $i) (local.get $gb)))
                        (local.set $y (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                          (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r2))) (local.get $z2))
                          (local.get $vlo)) (local.get $vhi)) (local.get $z2)) (local.get $s2)))
                        (local.set $t (v128.and
                          (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                            (v128.and (i32x4.shr_u (local.get $y) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                          (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                        (v128.store (local.get $i) (v128.bitselect
                          (v128.or (v128.and (local.get $y) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                                   (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                          (local.get $t)
                          (f32x4.ge (f32x4.abs (local.get $y)) (v128.const f32x4 65520 65520 65520 65520))))
                        (local.set $i (i32.add (local.get $i) (local.get $gb)))
                        (local.set $y (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                          (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r3))) (local.get $z3))
                          (local.get $vlo)) (local.get $vhi)) (local.get $z3)) (local.get $s3)))
                        (local.set $t (v128.and
                          (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                            (v128.and (i32x4.shr_u (local.get $y) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                          (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                        (v128.store (local.get $i) (v128.bitselect
                          (v128.or (v128.and (local.get $y) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                                   (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                          (local.get $t)
                          (f32x4.ge (f32x4.abs (local.get $y)) (v128.const f32x4 65520 65520 65520 65520))))
                        (local.set $off (i32.add (local.get $off) (i32.const 16)))
                        (br $hloop4))))
                  (else
                    (block $qdone4
                      (loop $qloop4
                        (br_if $qdone4 (i32.ge_u (local.get $off) (local.get $gb)))
                        (local.set $i (i32.add (local.get $p) (local.get $off)))
                        (local.set $y (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                          (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r0))) (local.get $z0))
                          (local.get $vlo)) (local.get $vhi)) (local.get $z0)) (local.get $s0)))
                        (v128.store (local.get $i) (v128.and
                          (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                            (v128.and (i32x4.shr_u (local.get $y) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                          (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))
                        (local.set $i (i32.add (local.get $i) (local.get $gb)))
                        (local.set $y (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                          (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r1))) (local.get $z1))
                          (local.get $vlo)) (local.get $vhi)) (local.get $z1)) (local.get $s1)))
                        (v128.store (local.get $i) (v128.and
                          (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                            (v128.and (i32x4.shr_u (local.get $y) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                          (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))
                        (local.set $i (i32.add (local.get $i) (local.get $gb)))
                        (local.set $y (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                          (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r2))) (local.get $z2))
                          (local.get $vlo)) (local.get $vhi)) (local.get $z2)) (local.get $s2)))
                        (v128.store (local.get $i) (v128.and
                          (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                            (v128.and (i32x4.shr_u (local.get $y) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                          (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))
                        (local.set $i (i32.add (local.get $i) (local.get $gb)))
                        (local.set $y (f32x4.mul (f32x4.sub (f32x4.pmin (f32x4.pmax
                          (f32x4.add (f32x4.nearest (f32x4.mul (v128.load (local.get $i)) (local.get $r3))) (local.get $z3))
                          (local.get $vlo)) (local.get $vhi)) (local.get $z3)) (local.get $s3)))
                        (v128.store (local.get $i) (v128.and
                          (i32x4.add (i32x4.add (local.get $y) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                            (v128.and (i32x4.shr_u (local.get $y) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                          (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))
                        (local.set $off (i32.add (local.get $off) (i32.const 16)))
                        (br $qloop4))))))
              (else
                (local.set $left (i32.add (local.get $left) (call $asym_group_w16 (local.get $p) (local.get $g) (local.get $div) (local.get $eps)
                  (local.get $qmin) (local.get $qmax) (i32.add (local.get $sp) (i32.const 0)) (i32.add (local.get $zp) (i32.const 0))
                  (local.get $half) (local.get $mid) (local.get $zlo) (local.get $zhi))))
                (local.set $left (i32.add (local.get $left) (call $asym_group_w16 (i32.add (local.get $p) (local.get $gb)) (local.get $g) (local.get $div) (local.get $eps)
                  (local.get $qmin) (local.get $qmax) (i32.add (local.get $sp) (i32.const 8)) (i32.add (local.get $zp) (i32.const 8))
                  (local.get $half) (local.get $mid) (local.get $zlo) (local.get $zhi))))
                (local.set $left (i32.add (local.get $left) (call $asym_group_w16 (i32.add (local.get $p) (i32.shl (local.get $gb) (i32.const 1))) (local.get $g) (local.get $div) (local.get $eps)
                  (local.get $qmin) (local.get $qmax) (i32.add (local.get $sp) (i32.const 16)) (i32.add (local.get $zp) (i32.const 16))
                  (local.get $half) (local.get $mid) (local.get $zlo) (local.get $zhi))))
                (local.set $left (i32.add (local.get $left) (call $asym_group_w16 (i32.add (local.get $p) (i32.mul (local.get $gb) (i32.const 3))) (local.get $g) (local.get $div) (local.get $eps)
                  (local.get $qmin) (local.get $qmax) (i32.add (local.get $sp) (i32.const 24)) (i32.add (local.get $zp) (i32.const 24))
                  (local.get $half) (local.get $mid) (local.get $zlo) (local.get $zhi))))))
            (local.set $p (i32.add (local.get $p) (i32.shl (local.get $gb) (i32.const 2))))
            (local.set $sp (i32.add (local.get $sp) (i32.const 32)))
            (local.set $zp (i32.add (local.get $zp) (i32.const 32)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $bloop)))))
    (block $gdone
      (loop $gloop
        (br_if $gdone (i32.ge_u (local.get $k) (local.get $groups)))
        (local.set $left (i32.add (local.get $left) (call $asym_group_w16 (local.get $p) (local.get $g) (local.get $div)
          (local.get $eps) (local.get $qmin) (local.get $qmax) (local.get $sp) (local.get $zp) (local.get $half)
          (local.get $mid) (local.get $zlo) (local.get $zhi))))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $g) (i32.const 2))))
        (local.set $sp (i32.add (local.get $sp) (i32.const 8)))
        (local.set $zp (i32.add (local.get $zp) (i32.const 8)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $gloop)))
    (local.get $left))

  ;; Per-token asymmetric in W (choose_qparams_affine, zero kept in range): lo' = min(lo, 0), hi' = max(hi, 0),
  ;; s = max(W(f32(W(f32(hi' − lo'))/div)), eps), z = clamp(W(f32(qmin − rhe(W(f32(lo'/s))))), qmin, qmax).
  ;; z ∈ [qmin, qmax], so q − z is exact in W and $quant_w16 applies. Returns how many tokens were left.
  (func (export "asym_tokens_w16") (param $p i32) (param $tokens i32) (param $n i32)
        (param $div f32) (param $eps f32) (param $qmin f32) (param $qmax f32)
        (param $sp i32) (param $zp i32) (param $half i32) (result i32)
    (local $k i32) (local $left i32) (local $lo f32) (local $hi f32) (local $s f32) (local $r f32)
    (local $zf f32) (local $zi i32)
    (block $tdone
      (loop $tloop
        (br_if $tdone (i32.ge_u (local.get $k) (local.get $tokens)))
        (call $range (local.get $p) (local.get $n))
        (local.set $hi)
        (local.set $lo)
        (local.set $s (f32.const nan))
        (local.set $r (f32.const nan))
        (if (call $finite2 (local.get $lo) (local.get $hi))
          (then
            (local.set $lo (f32.min (local.get $lo) (f32.const 0)))
            (local.set $hi (f32.max (local.get $hi) (f32.const 0)))
            (local.set $s (call $rw16s
              (f32.div (call $rw16s (f32.sub (local.get $hi) (local.get $lo)) (local.get $half)) (local.get $div))
              (local.get $half)))
            (local.set $s (select (local.get $eps) (local.get $s) (f32.lt (local.get $s) (local.get $eps))))
            (local.set $r (f32.div (f32.const 1) (local.get $s)))))
        (f64.store (local.get $sp) (f64.promote_f32 (local.get $s)))
        (if (call $finite (local.get $s) (local.get $r))
          (then
            ;; lo'/s is finite or −inf (never NaN: s > 0), and W keeps ±inf, as JS's rnd does.
            (local.set $zf (f32.sub (local.get $qmin)
              (f32.nearest (call $rw16s (f32.div (local.get $lo) (local.get $s)) (local.get $half)))))
            (local.set $zf (call $rw16s (local.get $zf) (local.get $half)))
            (local.set $zf (select (local.get $qmin) (local.get $zf) (f32.lt (local.get $zf) (local.get $qmin))))
            (local.set $zf (select (local.get $qmax) (local.get $zf) (f32.gt (local.get $zf) (local.get $qmax))))
            (local.set $zi (i32.trunc_sat_f32_s (local.get $zf)))
            (f64.store (local.get $zp) (f64.convert_i32_s (local.get $zi)))
            (call $quant_w16 (local.get $p) (local.get $n) (local.get $r) (local.get $s)
              (f32.convert_i32_s (local.get $zi)) (local.get $qmin) (local.get $qmax) (local.get $half)))
          (else
            (f64.store (local.get $zp) (f64.const 0))
            (local.set $left (i32.add (local.get $left) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
        (local.set $sp (i32.add (local.get $sp) (i32.const 8)))
        (local.set $zp (i32.add (local.get $zp) (i32.const 8)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $tloop)))
    (local.get $left))

  ;; y = W(f32(W(f32(q − mid)·s) + z)), q = clamp(rhe(t), qmin, qmax), t = (x − base)/s, over n floats at p:
  ;; kernel.ts floatBlock for 16-bit W with S = Z = float32 ($wq = 0: x − base and the division in float32)
  ;; or S = Z = W ($wq = 1: both rounded to W). q − mid is an integer of at most 8 bits (exact in W: no
  ;; rounding); products and sums are finite or ±inf, never NaN, for finite x, s > 0, base and z.
  (func $quant_w16f (param $p i32) (param $n i32) (param $s f32) (param $base f32) (param $z f32) (param $mid f32)
                    (param $qmin f32) (param $qmax f32) (param $half i32) (param $wq i32)
    (local $end i32) (local $vend i32) (local $vs v128) (local $vb v128) (local $vz v128) (local $vm v128)
    (local $vlo v128) (local $vhi v128) (local $t v128) (local $a v128) (local $u v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $vs (f32x4.splat (local.get $s)))
    (local.set $vb (f32x4.splat (local.get $base)))
    (local.set $vz (f32x4.splat (local.get $z)))
    (local.set $vm (f32x4.splat (local.get $mid)))
    (local.set $vlo (f32x4.splat (local.get $qmin)))
    (local.set $vhi (f32x4.splat (local.get $qmax)))
    ;; Whole vectors: one loop per (W, S) pair, the roundings to W inlined (no calls in the hot loop).
    (if (local.get $half)
      (then
        (if (local.get $wq)
          (then
            (block $hwdone
              (loop $hwloop
                (br_if $hwdone (i32.ge_u (local.get $p) (local.get $vend)))
                (local.set $t (v128.load (local.get $p)))
                (local.set $t (f32x4.sub (local.get $t) (local.get $vb)))
                (local.set $a (f32x4.abs (local.get $t)))
                (local.set $u (v128.and
                  (i32x4.add (i32x4.add (local.get $t) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                    (v128.and (i32x4.shr_u (local.get $t) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                  (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                (local.set $u (v128.bitselect
                  (v128.or (v128.and (local.get $t) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                           (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                  (local.get $u)
                  (f32x4.ge (local.get $a) (v128.const f32x4 65520 65520 65520 65520))))
                (local.set $t (v128.bitselect
                  (f32x4.mul (f32x4.nearest (f32x4.mul (local.get $t) (v128.const f32x4 16777216 16777216 16777216 16777216)))
                             (v128.const f32x4 0x1p-24 0x1p-24 0x1p-24 0x1p-24))
                  (local.get $u)
                  (f32x4.lt (local.get $a) (v128.const f32x4 0x1p-14 0x1p-14 0x1p-14 0x1p-14))))
                (local.set $t (f32x4.div (local.get $t) (local.get $vs)))
                (local.set $a (f32x4.abs (local.get $t)))
                (local.set $u (v128.and
                  (i32x4.add (i32x4.add (local.get $t) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                    (v128.and (i32x4.shr_u (local.get $t) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                  (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                (local.set $u (v128.bitselect
                  (v128.or (v128.and (local.get $t) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                           (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                  (local.get $u)
                  (f32x4.ge (local.get $a) (v128.const f32x4 65520 65520 65520 65520))))
                (local.set $t (v128.bitselect
                  (f32x4.mul (f32x4.nearest (f32x4.mul (local.get $t) (v128.const f32x4 16777216 16777216 16777216 16777216)))
                             (v128.const f32x4 0x1p-24 0x1p-24 0x1p-24 0x1p-24))
                  (local.get $u)
                  (f32x4.lt (local.get $a) (v128.const f32x4 0x1p-14 0x1p-14 0x1p-14 0x1p-14))))
                (local.set $t (f32x4.pmin (f32x4.pmax (f32x4.nearest (local.get $t)) (local.get $vlo)) (local.get $vhi)))
                (local.set $t (f32x4.mul (f32x4.sub (local.get $t) (local.get $vm)) (local.get $vs)))
                (local.set $a (f32x4.abs (local.get $t)))
                (local.set $u (v128.and
                  (i32x4.add (i32x4.add (local.get $t) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                    (v128.and (i32x4.shr_u (local.get $t) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                  (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                (local.set $u (v128.bitselect
                  (v128.or (v128.and (local.get $t) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                           (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                  (local.get $u)
                  (f32x4.ge (local.get $a) (v128.const f32x4 65520 65520 65520 65520))))
                (local.set $t (v128.bitselect
                  (f32x4.mul (f32x4.nearest (f32x4.mul (local.get $t) (v128.const f32x4 16777216 16777216 16777216 16777216)))
                             (v128.const f32x4 0x1p-24 0x1p-24 0x1p-24 0x1p-24))
                  (local.get $u)
                  (f32x4.lt (local.get $a) (v128.const f32x4 0x1p-14 0x1p-14 0x1p-14 0x1p-14))))
                (local.set $t (f32x4.add (local.get $t) (local.get $vz)))
                (local.set $a (f32x4.abs (local.get $t)))
                (local.set $u (v128.and
                  (i32x4.add (i32x4.add (local.get $t) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                    (v128.and (i32x4.shr_u (local.get $t) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                  (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                (local.set $u (v128.bitselect
                  (v128.or (v128.and (local.get $t) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                           (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                  (local.get $u)
                  (f32x4.ge (local.get $a) (v128.const f32x4 65520 65520 65520 65520))))
                (local.set $t (v128.bitselect
                  (f32x4.mul (f32x4.nearest (f32x4.mul (local.get $t) (v128.const f32x4 16777216 16777216 16777216 16777216)))
                             (v128.const f32x4 0x1p-24 0x1p-24 0x1p-24 0x1p-24))
                  (local.get $u)
                  (f32x4.lt (local.get $a) (v128.const f32x4 0x1p-14 0x1p-14 0x1p-14 0x1p-14))))
                (v128.store (local.get $p) (local.get $t))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $hwloop))))
          (else
            (block $hfdone
              (loop $hfloop
                (br_if $hfdone (i32.ge_u (local.get $p) (local.get $vend)))
                (local.set $t (v128.load (local.get $p)))
                (local.set $t (f32x4.sub (local.get $t) (local.get $vb)))
                (local.set $t (f32x4.div (local.get $t) (local.get $vs)))
                (local.set $t (f32x4.pmin (f32x4.pmax (f32x4.nearest (local.get $t)) (local.get $vlo)) (local.get $vhi)))
                (local.set $t (f32x4.mul (f32x4.sub (local.get $t) (local.get $vm)) (local.get $vs)))
                (local.set $a (f32x4.abs (local.get $t)))
                (local.set $u (v128.and
                  (i32x4.add (i32x4.add (local.get $t) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                    (v128.and (i32x4.shr_u (local.get $t) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                  (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                (local.set $u (v128.bitselect
                  (v128.or (v128.and (local.get $t) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                           (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                  (local.get $u)
                  (f32x4.ge (local.get $a) (v128.const f32x4 65520 65520 65520 65520))))
                (local.set $t (v128.bitselect
                  (f32x4.mul (f32x4.nearest (f32x4.mul (local.get $t) (v128.const f32x4 16777216 16777216 16777216 16777216)))
                             (v128.const f32x4 0x1p-24 0x1p-24 0x1p-24 0x1p-24))
                  (local.get $u)
                  (f32x4.lt (local.get $a) (v128.const f32x4 0x1p-14 0x1p-14 0x1p-14 0x1p-14))))
                (local.set $t (f32x4.add (local.get $t) (local.get $vz)))
                (local.set $a (f32x4.abs (local.get $t)))
                (local.set $u (v128.and
                  (i32x4.add (i32x4.add (local.get $t) (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
                    (v128.and (i32x4.shr_u (local.get $t) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
                  (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000)))
                (local.set $u (v128.bitselect
                  (v128.or (v128.and (local.get $t) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
                           (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                  (local.get $u)
                  (f32x4.ge (local.get $a) (v128.const f32x4 65520 65520 65520 65520))))
                (local.set $t (v128.bitselect
                  (f32x4.mul (f32x4.nearest (f32x4.mul (local.get $t) (v128.const f32x4 16777216 16777216 16777216 16777216)))
                             (v128.const f32x4 0x1p-24 0x1p-24 0x1p-24 0x1p-24))
                  (local.get $u)
                  (f32x4.lt (local.get $a) (v128.const f32x4 0x1p-14 0x1p-14 0x1p-14 0x1p-14))))
                (v128.store (local.get $p) (local.get $t))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $hfloop))))))
      (else
        (if (local.get $wq)
          (then
            (block $bwdone
              (loop $bwloop
                (br_if $bwdone (i32.ge_u (local.get $p) (local.get $vend)))
                (local.set $t (v128.load (local.get $p)))
                (local.set $t (f32x4.sub (local.get $t) (local.get $vb)))
                (local.set $t (v128.and
                  (i32x4.add (i32x4.add (local.get $t) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                    (v128.and (i32x4.shr_u (local.get $t) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                  (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))
                (local.set $t (f32x4.div (local.get $t) (local.get $vs)))
                (local.set $t (v128.and
                  (i32x4.add (i32x4.add (local.get $t) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                    (v128.and (i32x4.shr_u (local.get $t) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                  (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))
                (local.set $t (f32x4.pmin (f32x4.pmax (f32x4.nearest (local.get $t)) (local.get $vlo)) (local.get $vhi)))
                (local.set $t (f32x4.mul (f32x4.sub (local.get $t) (local.get $vm)) (local.get $vs)))
                (local.set $t (v128.and
                  (i32x4.add (i32x4.add (local.get $t) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                    (v128.and (i32x4.shr_u (local.get $t) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                  (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))
                (local.set $t (f32x4.add (local.get $t) (local.get $vz)))
                (local.set $t (v128.and
                  (i32x4.add (i32x4.add (local.get $t) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                    (v128.and (i32x4.shr_u (local.get $t) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                  (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))
                (v128.store (local.get $p) (local.get $t))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $bwloop))))
          (else
            (block $bfdone
              (loop $bfloop
                (br_if $bfdone (i32.ge_u (local.get $p) (local.get $vend)))
                (local.set $t (v128.load (local.get $p)))
                (local.set $t (f32x4.sub (local.get $t) (local.get $vb)))
                (local.set $t (f32x4.div (local.get $t) (local.get $vs)))
                (local.set $t (f32x4.pmin (f32x4.pmax (f32x4.nearest (local.get $t)) (local.get $vlo)) (local.get $vhi)))
                (local.set $t (f32x4.mul (f32x4.sub (local.get $t) (local.get $vm)) (local.get $vs)))
                (local.set $t (v128.and
                  (i32x4.add (i32x4.add (local.get $t) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                    (v128.and (i32x4.shr_u (local.get $t) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                  (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))
                (local.set $t (f32x4.add (local.get $t) (local.get $vz)))
                (local.set $t (v128.and
                  (i32x4.add (i32x4.add (local.get $t) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                    (v128.and (i32x4.shr_u (local.get $t) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                  (v128.const i32x4 0xffff0000 0xffff0000 0xffff0000 0xffff0000)))
                (v128.store (local.get $p) (local.get $t))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $bfloop)))))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        ;; The tail one value at a time, through lane 0 of the same ops ($rw16 for the roundings).
        (local.set $t (f32x4.sub (f32x4.splat (f32.load (local.get $p))) (local.get $vb)))
        (if (local.get $wq) (then (local.set $t (call $rw16 (local.get $t) (local.get $half)))))
        (local.set $t (f32x4.div (local.get $t) (local.get $vs)))
        (if (local.get $wq) (then (local.set $t (call $rw16 (local.get $t) (local.get $half)))))
        (local.set $t (f32x4.pmin (f32x4.pmax (f32x4.nearest (local.get $t)) (local.get $vlo)) (local.get $vhi)))
        (local.set $t (call $rw16 (f32x4.mul (f32x4.sub (local.get $t) (local.get $vm)) (local.get $vs)) (local.get $half)))
        (local.set $t (call $rw16 (f32x4.add (local.get $t) (local.get $vz)) (local.get $half)))
        (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $t)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $loop))))

  ;; Asymmetric groups in W with the FLOAT zero-point domain (tinygemm): the qparams of $asym_group_w16,
  ;; the zero point kept as the float zf (Z a float: S = Z = float32, or S = Z = W with $wq = 1), and
  ;; base = z − s·kmid in S (kmid = (qmin + qmax + 1)/2, the kernel's mid; cmid = 2^(b−1), the qparams').
  ;; A group left to the caller gets a NaN scale (whatever torch's), so that the caller reruns it.
  ;; Returns how many groups were left.
  (func (export "asym_float_groups_w16") (param $p i32) (param $groups i32) (param $g i32)
        (param $div f32) (param $eps f32) (param $qmin f32) (param $qmax f32)
        (param $sp i32) (param $zp i32) (param $half i32) (param $cmid f32) (param $kmid f32) (param $wq i32) (result i32)
    (local $k i32) (local $left i32) (local $lo f32) (local $hi f32) (local $s f32) (local $r f32)
    (local $zf f32) (local $base f32)
    (block $gdone
      (loop $gloop
        (br_if $gdone (i32.ge_u (local.get $k) (local.get $groups)))
        (call $range (local.get $p) (local.get $g))
        (local.set $hi)
        (local.set $lo)
        (local.set $s (f32.const nan))
        (local.set $r (f32.const nan))
        (local.set $zf (f32.const nan))
        (local.set $base (f32.const nan))
        (if (call $finite2 (local.get $lo) (local.get $hi))
          (then
            (local.set $s (call $rw16s
              (f32.div (call $rw16s (f32.sub (local.get $hi) (local.get $lo)) (local.get $half)) (local.get $div))
              (local.get $half)))
            (local.set $s (select (local.get $eps) (local.get $s) (f32.lt (local.get $s) (local.get $eps))))
            (local.set $r (f32.div (f32.const 1) (local.get $s)))
            (if (call $finite (local.get $s) (local.get $r))
              (then
                (local.set $zf (call $rw16s
                  (f32.add (local.get $lo) (call $rw16s (f32.mul (local.get $s) (local.get $cmid)) (local.get $half)))
                  (local.get $half)))
                (local.set $base (f32.sub (local.get $zf) (f32.mul (local.get $s) (local.get $kmid))))
                (if (local.get $wq)
                  (then (local.set $base (call $rw16s
                    (f32.sub (local.get $zf) (call $rw16s (f32.mul (local.get $s) (local.get $kmid)) (local.get $half)))
                    (local.get $half)))))))))
        (if (call $finite2 (local.get $zf) (local.get $base))
          (then
            (f64.store (local.get $sp) (f64.promote_f32 (local.get $s)))
            (f64.store (local.get $zp) (f64.promote_f32 (local.get $zf)))
            (call $quant_w16f (local.get $p) (local.get $g) (local.get $s) (local.get $base) (local.get $zf) (local.get $kmid)
              (local.get $qmin) (local.get $qmax) (local.get $half) (local.get $wq)))
          (else
            (f64.store (local.get $sp) (f64.const nan))
            (f64.store (local.get $zp) (f64.const nan))
            (local.set $left (i32.add (local.get $left) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $g) (i32.const 2))))
        (local.set $sp (i32.add (local.get $sp) (i32.const 8)))
        (local.set $zp (i32.add (local.get $zp) (i32.const 8)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $gloop)))
    (local.get $left))

;; ---- fused 16-bit in/out ----
  ;; sym_groups_w16 on the raw bytes: n bfloat16/float16 values (u16, little-endian) at p are
  ;; fake-quantized in place and written back as 16-bit values, widened and narrowed in registers
  ;; (no float32 buffer, no separate passes, half the memory traffic). Op for op what widen_bf16 (or
  ;; the float16 decoding), sym_groups_w16 and the narrowing compute, so the bits are the same.
  ;; max|v| is taken on the bits: for finite 16-bit floats |v| orders as (h & 0x7fff) does, and a
  ;; NaN or infinity is (h & 0x7fff) ≥ 0x7f80 (bfloat16) or ≥ 0x7c00 (float16). Groups are whole
  ;; vectors of 8 values (g = 8n; the caller checks). A group whose input, scale or reciprocal is not
  ;; finite is left untouched (its scale stored), for the caller to run in JS, as sym_groups_w16 does.

  ;; Scales of four groups from their largest |v| bits h (u16 in i32 lanes): s = max(W(f32(m/div)), eps),
  ;; NaN for a group with a non-finite input (as sym_groups_w16's four-at-a-time loop).
  (func $io16_scales (param $h v128) (param $div f32) (param $eps f32) (param $half i32) (result v128)
    (local $m v128) (local $bad v128)
    (if (local.get $half)
      (then
        (local.set $bad (i32x4.ge_u (local.get $h) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00)))
        (local.set $m (f32x4.mul (i32x4.shl (local.get $h) (i32.const 13)) (v128.const f32x4 0x1p112 0x1p112 0x1p112 0x1p112))))
      (else
        (local.set $bad (i32x4.ge_u (local.get $h) (v128.const i32x4 0x7f80 0x7f80 0x7f80 0x7f80)))
        (local.set $m (i32x4.shl (local.get $h) (i32.const 16)))))
    (f32x4.pmax
      (v128.bitselect (v128.const f32x4 nan nan nan nan)
        (call $rw16 (f32x4.div (local.get $m) (f32x4.splat (local.get $div))) (local.get $half))
        (local.get $bad))
      (f32x4.splat (local.get $eps))))

  ;; Lanes whose scale s and reciprocal r are both finite.
  (func $io16_ok (param $s v128) (param $r v128) (result v128)
    (v128.and
      (f32x4.lt (f32x4.abs (local.get $s)) (v128.const f32x4 inf inf inf inf))
      (f32x4.lt (f32x4.abs (local.get $r)) (v128.const f32x4 inf inf inf inf))))

  ;; One group of g = 8n raw values at p with scale s and reciprocal r (both finite), z = 0.
  (func $io16_group (param $p i32) (param $g i32) (param $r f32) (param $s f32)
                    (param $qmin f32) (param $qmax f32) (param $half i32)
    (local $i i32) (local $end i32) (local $vr v128) (local $vs v128) (local $vlo v128) (local $vhi v128)
    (local $v v128) (local $y0 v128) (local $y1 v128)
    ;; The loop's constants, set once (not rebuilt per use).
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $k3 v128) (local $k4 v128) (local $k5 v128) (local $k6 v128) (local $k7 v128) (local $k8 v128) (local $k9 v128) (local $k10 v128) (local $k11 v128)
    (local.set $k0 (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
    (local.set $k1 (v128.const f32x4 0x1p112 0x1p112 0x1p112 0x1p112))
    (local.set $k2 (v128.const i32x4 0x8000 0x8000 0x8000 0x8000))
    (local.set $k3 (v128.const i32x4 0 0 0 0))
    (local.set $k4 (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
    (local.set $k5 (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
    (local.set $k6 (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
    (local.set $k7 (v128.const i32x4 1 1 1 1))
    (local.set $k8 (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000))
    (local.set $k9 (v128.const f32x4 65520 65520 65520 65520))
    (local.set $k10 (v128.const f32x4 0x1p-112 0x1p-112 0x1p-112 0x1p-112))
    (local.set $k11 (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00))
    (local.set $i (local.get $p))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $g) (i32.const 1))))
    (local.set $vr (f32x4.splat (local.get $r)))
    (local.set $vs (f32x4.splat (local.get $s)))
    (local.set $vlo (f32x4.splat (local.get $qmin)))
    (local.set $vhi (f32x4.splat (local.get $qmax)))
    (if (local.get $half)
      (then
        (block $hdone
          (loop $hloop
            (br_if $hdone (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $v (v128.load (local.get $i)))
            (local.set $y0 (f32x4.mul (f32x4.pmin (f32x4.pmax
                        (f32x4.add (f32x4.nearest (f32x4.mul (v128.or (f32x4.mul (i32x4.shl (v128.and (i32x4.extend_low_i16x8_u (local.get $v)) (local.get $k0)) (i32.const 13)) (local.get $k1))
                      (i32x4.shl (v128.and (i32x4.extend_low_i16x8_u (local.get $v)) (local.get $k2)) (i32.const 16))) (local.get $vr))) (local.get $k3))
                        (local.get $vlo)) (local.get $vhi)) (local.get $vs)))
            (local.set $y1 (f32x4.mul (f32x4.pmin (f32x4.pmax
                        (f32x4.add (f32x4.nearest (f32x4.mul (v128.or (f32x4.mul (i32x4.shl (v128.and (i32x4.extend_high_i16x8_u (local.get $v)) (local.get $k0)) (i32.const 13)) (local.get $k1))
                      (i32x4.shl (v128.and (i32x4.extend_high_i16x8_u (local.get $v)) (local.get $k2)) (i32.const 16))) (local.get $vr))) (local.get $k3))
                        (local.get $vlo)) (local.get $vhi)) (local.get $vs)))
            (local.set $y0 (v128.bitselect
                        (v128.or (v128.and (local.get $y0) (local.get $k4)) (local.get $k5))
                        (v128.and (i32x4.add (i32x4.add (local.get $y0) (local.get $k6)) (v128.and (i32x4.shr_u (local.get $y0) (i32.const 13)) (local.get $k7))) (local.get $k8))
                        (f32x4.ge (f32x4.abs (local.get $y0)) (local.get $k9))))
            (local.set $y1 (v128.bitselect
                        (v128.or (v128.and (local.get $y1) (local.get $k4)) (local.get $k5))
                        (v128.and (i32x4.add (i32x4.add (local.get $y1) (local.get $k6)) (v128.and (i32x4.shr_u (local.get $y1) (i32.const 13)) (local.get $k7))) (local.get $k8))
                        (f32x4.ge (f32x4.abs (local.get $y1)) (local.get $k9))))
            (v128.store (local.get $i) (i8x16.shuffle 0 1 4 5 8 9 12 13 16 17 20 21 24 25 28 29 (v128.or
                        (i32x4.min_u (i32x4.shr_u (f32x4.mul (f32x4.abs (local.get $y0)) (local.get $k10)) (i32.const 13)) (local.get $k11))
                        (v128.and (i32x4.shr_u (local.get $y0) (i32.const 16)) (local.get $k2))) (v128.or
                        (i32x4.min_u (i32x4.shr_u (f32x4.mul (f32x4.abs (local.get $y1)) (local.get $k10)) (i32.const 13)) (local.get $k11))
                        (v128.and (i32x4.shr_u (local.get $y1) (i32.const 16)) (local.get $k2)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $hloop))))
      (else
        (block $bdone
          (loop $bloop
            (br_if $bdone (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $v (v128.load (local.get $i)))
            (local.set $y0 (f32x4.mul (f32x4.pmin (f32x4.pmax
                        (f32x4.add (f32x4.nearest (f32x4.mul (i8x16.shuffle 0 0 16 17 0 0 18 19 0 0 20 21 0 0 22 23 (local.get $k3) (local.get $v)) (local.get $vr))) (local.get $k3))
                        (local.get $vlo)) (local.get $vhi)) (local.get $vs)))
            (local.set $y1 (f32x4.mul (f32x4.pmin (f32x4.pmax
                        (f32x4.add (f32x4.nearest (f32x4.mul (i8x16.shuffle 0 0 24 25 0 0 26 27 0 0 28 29 0 0 30 31 (local.get $k3) (local.get $v)) (local.get $vr))) (local.get $k3))
                        (local.get $vlo)) (local.get $vhi)) (local.get $vs)))
            (v128.store (local.get $i) (i8x16.shuffle 2 3 6 7 10 11 14 15 18 19 22 23 26 27 30 31 (i32x4.add (i32x4.add (local.get $y0) (local.get $k0)) (v128.and (i32x4.shr_u (local.get $y0) (i32.const 16)) (local.get $k7))) (i32x4.add (i32x4.add (local.get $y1) (local.get $k0)) (v128.and (i32x4.shr_u (local.get $y1) (i32.const 16)) (local.get $k7)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $bloop))))))

  ;; Symmetric groups in W on raw 16-bit values (half: 1 float16, 0 bfloat16); scales and zero points
  ;; as f64 at sp and zp. Returns how many groups were left to the caller.
  (func (export "sym_groups_io16") (param $p i32) (param $groups i32) (param $g i32)
        (param $div f32) (param $eps f32) (param $qmin f32) (param $qmax f32)
        (param $sp i32) (param $zp i32) (param $half i32) (result i32)
    (local $k i32) (local $i i32) (local $off i32) (local $gb i32) (local $left i32) (local $lane i32)
    (local $vlo v128) (local $vhi v128) (local $v v128) (local $y0 v128) (local $y1 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $h v128) (local $s4 v128) (local $r4 v128) (local $ok v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $k3 v128) (local $k4 v128) (local $k5 v128) (local $k6 v128) (local $k7 v128) (local $k8 v128) (local $k9 v128) (local $k10 v128) (local $k11 v128)
    (local.set $vlo (f32x4.splat (local.get $qmin)))
    (local.set $vhi (f32x4.splat (local.get $qmax)))
    (local.set $gb (i32.shl (local.get $g) (i32.const 1)))
    (local.set $k0 (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
    (local.set $k1 (v128.const f32x4 0x1p112 0x1p112 0x1p112 0x1p112))
    (local.set $k2 (v128.const i32x4 0x8000 0x8000 0x8000 0x8000))
    (local.set $k3 (v128.const i32x4 0 0 0 0))
    (local.set $k4 (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
    (local.set $k5 (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
    (local.set $k6 (v128.const i32x4 0xfff 0xfff 0xfff 0xfff))
    (local.set $k7 (v128.const i32x4 1 1 1 1))
    (local.set $k8 (v128.const i32x4 0xffffe000 0xffffe000 0xffffe000 0xffffe000))
    (local.set $k9 (v128.const f32x4 65520 65520 65520 65520))
    (local.set $k10 (v128.const f32x4 0x1p-112 0x1p-112 0x1p-112 0x1p-112))
    (local.set $k11 (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00))
    ;; Four groups at a time: their largest bits land in the lanes of one vector.
    (block $bdone
      (loop $bloop
        (br_if $bdone (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $groups)))
        (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0)) (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $off (i32.const 0))
        (block $mdone
          (loop $mloop
            (br_if $mdone (i32.ge_u (local.get $off) (local.get $gb)))
            (local.set $i (i32.add (local.get $p) (local.get $off)))
            (local.set $a0 (i16x8.max_u (local.get $a0) (v128.and (v128.load (local.get $i)) (v128.const i16x8 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff))))
            (local.set $i (i32.add (local.get $i) (local.get $gb)))
            (local.set $a1 (i16x8.max_u (local.get $a1) (v128.and (v128.load (local.get $i)) (v128.const i16x8 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff))))
            (local.set $i (i32.add (local.get $i) (local.get $gb)))
            (local.set $a2 (i16x8.max_u (local.get $a2) (v128.and (v128.load (local.get $i)) (v128.const i16x8 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff))))
            (local.set $i (i32.add (local.get $i) (local.get $gb)))
            (local.set $a3 (i16x8.max_u (local.get $a3) (v128.and (v128.load (local.get $i)) (v128.const i16x8 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff))))
            (local.set $off (i32.add (local.get $off) (i32.const 16)))
            (br $mloop)))
        ;; Eight u16 lanes to four u32 lanes, then h[j] = max of a_j's lanes by a 4×4 transpose.
        (local.set $a0 (i32x4.max_u (i32x4.extend_low_i16x8_u (local.get $a0)) (i32x4.extend_high_i16x8_u (local.get $a0))))
        (local.set $a1 (i32x4.max_u (i32x4.extend_low_i16x8_u (local.get $a1)) (i32x4.extend_high_i16x8_u (local.get $a1))))
        (local.set $a2 (i32x4.max_u (i32x4.extend_low_i16x8_u (local.get $a2)) (i32x4.extend_high_i16x8_u (local.get $a2))))
        (local.set $a3 (i32x4.max_u (i32x4.extend_low_i16x8_u (local.get $a3)) (i32x4.extend_high_i16x8_u (local.get $a3))))
        (local.set $a0 (i32x4.max_u
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a0) (local.get $a1))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a0) (local.get $a1))))
        (local.set $a2 (i32x4.max_u
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a2) (local.get $a3))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a2) (local.get $a3))))
        (local.set $h (i32x4.max_u
          (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a0) (local.get $a2))
          (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a0) (local.get $a2))))
        (local.set $s4 (call $io16_scales (local.get $h) (local.get $div) (local.get $eps) (local.get $half)))
        (local.set $r4 (f32x4.div (v128.const f32x4 1 1 1 1) (local.get $s4)))
        (v128.store (local.get $sp) (f64x2.promote_low_f32x4 (local.get $s4)))
        (v128.store offset=16 (local.get $sp)
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $s4) (local.get $s4))))
        (v128.store (local.get $zp) (v128.const i64x2 0 0))
        (v128.store offset=16 (local.get $zp) (v128.const i64x2 0 0))
        (local.set $ok (call $io16_ok (local.get $s4) (local.get $r4)))
        (if (i32x4.all_true (local.get $ok))
          (then
            (local.set $s0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $s4) (local.get $s4)))
            (local.set $s1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $s4) (local.get $s4)))
            (local.set $s2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $s4) (local.get $s4)))
            (local.set $s3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $s4) (local.get $s4)))
            (local.set $r0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $r4) (local.get $r4)))
            (local.set $r1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $r4) (local.get $r4)))
            (local.set $r2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $r4) (local.get $r4)))
            (local.set $r3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $r4) (local.get $r4)))
            ;; The four groups side by side (independent chains), 8 values of each per step.
            (local.set $off (i32.const 0))
            (if (local.get $half)
              (then
                (block $hdone4
                  (loop $hloop4
                    (br_if $hdone4 (i32.ge_u (local.get $off) (local.get $gb)))
                    (local.set $i (i32.add (local.get $p) (local.get $off)))
                    (local.set $v (v128.load (local.get $i)))
                    (local.set $y0 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (v128.or (f32x4.mul (i32x4.shl (v128.and (i32x4.extend_low_i16x8_u (local.get $v)) (local.get $k0)) (i32.const 13)) (local.get $k1))
                              (i32x4.shl (v128.and (i32x4.extend_low_i16x8_u (local.get $v)) (local.get $k2)) (i32.const 16))) (local.get $r0))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s0)))
                    (local.set $y1 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (v128.or (f32x4.mul (i32x4.shl (v128.and (i32x4.extend_high_i16x8_u (local.get $v)) (local.get $k0)) (i32.const 13)) (local.get $k1))
                              (i32x4.shl (v128.and (i32x4.extend_high_i16x8_u (local.get $v)) (local.get $k2)) (i32.const 16))) (local.get $r0))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s0)))
                    (local.set $y0 (v128.bitselect
                                (v128.or (v128.and (local.get $y0) (local.get $k4)) (local.get $k5))
                                (v128.and (i32x4.add (i32x4.add (local.get $y0) (local.get $k6)) (v128.and (i32x4.shr_u (local.get $y0) (i32.const 13)) (local.get $k7))) (local.get $k8))
                                (f32x4.ge (f32x4.abs (local.get $y0)) (local.get $k9))))
                    (local.set $y1 (v128.bitselect
                                (v128.or (v128.and (local.get $y1) (local.get $k4)) (local.get $k5))
                                (v128.and (i32x4.add (i32x4.add (local.get $y1) (local.get $k6)) (v128.and (i32x4.shr_u (local.get $y1) (i32.const 13)) (local.get $k7))) (local.get $k8))
                                (f32x4.ge (f32x4.abs (local.get $y1)) (local.get $k9))))
                    (v128.store (local.get $i) (i8x16.shuffle 0 1 4 5 8 9 12 13 16 17 20 21 24 25 28 29 (v128.or
                                (i32x4.min_u (i32x4.shr_u (f32x4.mul (f32x4.abs (local.get $y0)) (local.get $k10)) (i32.const 13)) (local.get $k11))
                                (v128.and (i32x4.shr_u (local.get $y0) (i32.const 16)) (local.get $k2))) (v128.or
                                (i32x4.min_u (i32x4.shr_u (f32x4.mul (f32x4.abs (local.get $y1)) (local.get $k10)) (i32.const 13)) (local.get $k11))
                                (v128.and (i32x4.shr_u (local.get $y1) (i32.const 16)) (local.get $k2)))))
                    (local.set $i (i32.add (local.get $i) (local.get $gb)))
                    (local.set $v (v128.load (local.get $i)))
                    (local.set $y0 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (v128.or (f32x4.mul (i32x4.shl (v128.and (i32x4.extend_low_i16x8_u (local.get $v)) (local.get $k0)) (i32.const 13)) (local.get $k1))
                              (i32x4.shl (v128.and (i32x4.extend_low_i16x8_u (local.get $v)) (local.get $k2)) (i32.const 16))) (local.get $r1))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s1)))
                    (local.set $y1 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (v128.or (f32x4.mul (i32x4.shl (v128.and (i32x4.extend_high_i16x8_u (local.get $v)) (local.get $k0)) (i32.const 13)) (local.get $k1))
                              (i32x4.shl (v128.and (i32x4.extend_high_i16x8_u (local.get $v)) (local.get $k2)) (i32.const 16))) (local.get $r1))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s1)))
                    (local.set $y0 (v128.bitselect
                                (v128.or (v128.and (local.get $y0) (local.get $k4)) (local.get $k5))
                                (v128.and (i32x4.add (i32x4.add (local.get $y0) (local.get $k6)) (v128.and (i32x4.shr_u (local.get $y0) (i32.const 13)) (local.get $k7))) (local.get $k8))
                                (f32x4.ge (f32x4.abs (local.get $y0)) (local.get $k9))))
                    (local.set $y1 (v128.bitselect
                                (v128.or (v128.and (local.get $y1) (local.get $k4)) (local.get $k5))
                                (v128.and (i32x4.add (i32x4.add (local.get $y1) (local.get $k6)) (v128.and (i32x4.shr_u (local.get $y1) (i32.const 13)) (local.get $k7))) (local.get $k8))
                                (f32x4.ge (f32x4.abs (local.get $y1)) (local.get $k9))))
                    (v128.store (local.get $i) (i8x16.shuffle 0 1 4 5 8 9 12 13 16 17 20 21 24 25 28 29 (v128.or
                                (i32x4.min_u (i32x4.shr_u (f32x4.mul (f32x4.abs (local.get $y0)) (local.get $k10)) (i32.const 13)) (local.get $k11))
                                (v128.and (i32x4.shr_u (local.get $y0) (i32.const 16)) (local.get $k2))) (v128.or
                                (i32x4.min_u (i32x4.shr_u (f32x4.mul (f32x4.abs (local.get $y1)) (local.get $k10)) (i32.const 13)) (local.get $k11))
                                (v128.and (i32x4.shr_u (local.get $y1) (i32.const 16)) (local.get $k2)))))
                    (local.set $i (i32.add (local.get $i) (local.get $gb)))
                    (local.set $v (v128.load (local.get $i)))
                    (local.set $y0 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (v128.or (f32x4.mul (i32x4.shl (v128.and (i32x4.extend_low_i16x8_u (local.get $v)) (local.get $k0)) (i32.const 13)) (local.get $k1))
                              (i32x4.shl (v128.and (i32x4.extend_low_i16x8_u (local.get $v)) (local.get $k2)) (i32.const 16))) (local.get $r2))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s2)))
                    (local.set $y1 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (v128.or (f32x4.mul (i32x4.shl (v128.and (i32x4.extend_high_i16x8_u (local.get $v)) (local.get $k0)) (i32.const 13)) (local.get $k1))
                              (i32x4.shl (v128.and (i32x4.extend_high_i16x8_u (local.get $v)) (local.get $k2)) (i32.const 16))) (local.get $r2))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s2)))
                    (local.set $y0 (v128.bitselect
                                (v128.or (v128.and (local.get $y0) (local.get $k4)) (local.get $k5))
                                (v128.and (i32x4.add (i32x4.add (local.get $y0) (local.get $k6)) (v128.and (i32x4.shr_u (local.get $y0) (i32.const 13)) (local.get $k7))) (local.get $k8))
                                (f32x4.ge (f32x4.abs (local.get $y0)) (local.get $k9))))
                    (local.set $y1 (v128.bitselect
                                (v128.or (v128.and (local.get $y1) (local.get $k4)) (local.get $k5))
                                (v128.and (i32x4.add (i32x4.add (local.get $y1) (local.get $k6)) (v128.and (i32x4.shr_u (local.get $y1) (i32.const 13)) (local.get $k7))) (local.get $k8))
                                (f32x4.ge (f32x4.abs (local.get $y1)) (local.get $k9))))
                    (v128.store (local.get $i) (i8x16.shuffle 0 1 4 5 8 9 12 13 16 17 20 21 24 25 28 29 (v128.or
                                (i32x4.min_u (i32x4.shr_u (f32x4.mul (f32x4.abs (local.get $y0)) (local.get $k10)) (i32.const 13)) (local.get $k11))
                                (v128.and (i32x4.shr_u (local.get $y0) (i32.const 16)) (local.get $k2))) (v128.or
                                (i32x4.min_u (i32x4.shr_u (f32x4.mul (f32x4.abs (local.get $y1)) (local.get $k10)) (i32.const 13)) (local.get $k11))
                                (v128.and (i32x4.shr_u (local.get $y1) (i32.const 16)) (local.get $k2)))))
                    (local.set $i (i32.add (local.get $i) (local.get $gb)))
                    (local.set $v (v128.load (local.get $i)))
                    (local.set $y0 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (v128.or (f32x4.mul (i32x4.shl (v128.and (i32x4.extend_low_i16x8_u (local.get $v)) (local.get $k0)) (i32.const 13)) (local.get $k1))
                              (i32x4.shl (v128.and (i32x4.extend_low_i16x8_u (local.get $v)) (local.get $k2)) (i32.const 16))) (local.get $r3))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s3)))
                    (local.set $y1 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (v128.or (f32x4.mul (i32x4.shl (v128.and (i32x4.extend_high_i16x8_u (local.get $v)) (local.get $k0)) (i32.const 13)) (local.get $k1))
                              (i32x4.shl (v128.and (i32x4.extend_high_i16x8_u (local.get $v)) (local.get $k2)) (i32.const 16))) (local.get $r3))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s3)))
                    (local.set $y0 (v128.bitselect
                                (v128.or (v128.and (local.get $y0) (local.get $k4)) (local.get $k5))
                                (v128.and (i32x4.add (i32x4.add (local.get $y0) (local.get $k6)) (v128.and (i32x4.shr_u (local.get $y0) (i32.const 13)) (local.get $k7))) (local.get $k8))
                                (f32x4.ge (f32x4.abs (local.get $y0)) (local.get $k9))))
                    (local.set $y1 (v128.bitselect
                                (v128.or (v128.and (local.get $y1) (local.get $k4)) (local.get $k5))
                                (v128.and (i32x4.add (i32x4.add (local.get $y1) (local.get $k6)) (v128.and (i32x4.shr_u (local.get $y1) (i32.const 13)) (local.get $k7))) (local.get $k8))
                                (f32x4.ge (f32x4.abs (local.get $y1)) (local.get $k9))))
                    (v128.store (local.get $i) (i8x16.shuffle 0 1 4 5 8 9 12 13 16 17 20 21 24 25 28 29 (v128.or
                                (i32x4.min_u (i32x4.shr_u (f32x4.mul (f32x4.abs (local.get $y0)) (local.get $k10)) (i32.const 13)) (local.get $k11))
                                (v128.and (i32x4.shr_u (local.get $y0) (i32.const 16)) (local.get $k2))) (v128.or
                                (i32x4.min_u (i32x4.shr_u (f32x4.mul (f32x4.abs (local.get $y1)) (local.get $k10)) (i32.const 13)) (local.get $k11))
                                (v128.and (i32x4.shr_u (local.get $y1) (i32.const 16)) (local.get $k2)))))
                    (local.set $off (i32.add (local.get $off) (i32.const 16)))
                    (br $hloop4))))
              (else
                (block $bdone4
                  (loop $bloop4
                    (br_if $bdone4 (i32.ge_u (local.get $off) (local.get $gb)))
                    (local.set $i (i32.add (local.get $p) (local.get $off)))
                    (local.set $v (v128.load (local.get $i)))
                    (local.set $y0 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (i8x16.shuffle 0 0 16 17 0 0 18 19 0 0 20 21 0 0 22 23 (local.get $k3) (local.get $v)) (local.get $r0))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s0)))
                    (local.set $y1 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (i8x16.shuffle 0 0 24 25 0 0 26 27 0 0 28 29 0 0 30 31 (local.get $k3) (local.get $v)) (local.get $r0))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s0)))
                    (v128.store (local.get $i) (i8x16.shuffle 2 3 6 7 10 11 14 15 18 19 22 23 26 27 30 31 (i32x4.add (i32x4.add (local.get $y0) (local.get $k0)) (v128.and (i32x4.shr_u (local.get $y0) (i32.const 16)) (local.get $k7))) (i32x4.add (i32x4.add (local.get $y1) (local.get $k0)) (v128.and (i32x4.shr_u (local.get $y1) (i32.const 16)) (local.get $k7)))))
                    (local.set $i (i32.add (local.get $i) (local.get $gb)))
                    (local.set $v (v128.load (local.get $i)))
                    (local.set $y0 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (i8x16.shuffle 0 0 16 17 0 0 18 19 0 0 20 21 0 0 22 23 (local.get $k3) (local.get $v)) (local.get $r1))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s1)))
                    (local.set $y1 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (i8x16.shuffle 0 0 24 25 0 0 26 27 0 0 28 29 0 0 30 31 (local.get $k3) (local.get $v)) (local.get $r1))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s1)))
                    (v128.store (local.get $i) (i8x16.shuffle 2 3 6 7 10 11 14 15 18 19 22 23 26 27 30 31 (i32x4.add (i32x4.add (local.get $y0) (local.get $k0)) (v128.and (i32x4.shr_u (local.get $y0) (i32.const 16)) (local.get $k7))) (i32x4.add (i32x4.add (local.get $y1) (local.get $k0)) (v128.and (i32x4.shr_u (local.get $y1) (i32.const 16)) (local.get $k7)))))
                    (local.set $i (i32.add (local.get $i) (local.get $gb)))
                    (local.set $v (v128.load (local.get $i)))
                    (local.set $y0 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (i8x16.shuffle 0 0 16 17 0 0 18 19 0 0 20 21 0 0 22 23 (local.get $k3) (local.get $v)) (local.get $r2))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s2)))
                    (local.set $y1 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (i8x16.shuffle 0 0 24 25 0 0 26 27 0 0 28 29 0 0 30 31 (local.get $k3) (local.get $v)) (local.get $r2))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s2)))
                    (v128.store (local.get $i) (i8x16.shuffle 2 3 6 7 10 11 14 15 18 19 22 23 26 27 30 31 (i32x4.add (i32x4.add (local.get $y0) (local.get $k0)) (v128.and (i32x4.shr_u (local.get $y0) (i32.const 16)) (local.get $k7))) (i32x4.add (i32x4.add (local.get $y1) (local.get $k0)) (v128.and (i32x4.shr_u (local.get $y1) (i32.const 16)) (local.get $k7)))))
                    (local.set $i (i32.add (local.get $i) (local.get $gb)))
                    (local.set $v (v128.load (local.get $i)))
                    (local.set $y0 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (i8x16.shuffle 0 0 16 17 0 0 18 19 0 0 20 21 0 0 22 23 (local.get $k3) (local.get $v)) (local.get $r3))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s3)))
                    (local.set $y1 (f32x4.mul (f32x4.pmin (f32x4.pmax
                                (f32x4.add (f32x4.nearest (f32x4.mul (i8x16.shuffle 0 0 24 25 0 0 26 27 0 0 28 29 0 0 30 31 (local.get $k3) (local.get $v)) (local.get $r3))) (local.get $k3))
                                (local.get $vlo)) (local.get $vhi)) (local.get $s3)))
                    (v128.store (local.get $i) (i8x16.shuffle 2 3 6 7 10 11 14 15 18 19 22 23 26 27 30 31 (i32x4.add (i32x4.add (local.get $y0) (local.get $k0)) (v128.and (i32x4.shr_u (local.get $y0) (i32.const 16)) (local.get $k7))) (i32x4.add (i32x4.add (local.get $y1) (local.get $k0)) (v128.and (i32x4.shr_u (local.get $y1) (i32.const 16)) (local.get $k7)))))
                    (local.set $off (i32.add (local.get $off) (i32.const 16)))
                    (br $bloop4))))))
          (else
            ;; Lane by lane: a group with a finite scale and reciprocal runs alone, any other is left.
            (local.set $lane (i32.const 0))
            (block $ldone
              (loop $lloop
                (br_if $ldone (i32.ge_u (local.get $lane) (i32.const 4)))
                ;; Lane $lane of each vector, through memory-free shifts: rotate it into lane 0.
                (if (i32x4.extract_lane 0 (local.get $ok))
                  (then (call $io16_group (i32.add (local.get $p) (i32.mul (local.get $gb) (local.get $lane))) (local.get $g)
                          (f32x4.extract_lane 0 (local.get $r4)) (f32x4.extract_lane 0 (local.get $s4))
                          (local.get $qmin) (local.get $qmax) (local.get $half)))
                  (else (local.set $left (i32.add (local.get $left) (i32.const 1)))))
                (local.set $ok (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $ok) (local.get $ok)))
                (local.set $r4 (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $r4) (local.get $r4)))
                (local.set $s4 (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $s4) (local.get $s4)))
                (local.set $lane (i32.add (local.get $lane) (i32.const 1)))
                (br $lloop)))))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $gb) (i32.const 2))))
        (local.set $sp (i32.add (local.get $sp) (i32.const 32)))
        (local.set $zp (i32.add (local.get $zp) (i32.const 32)))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $bloop)))
    ;; The last groups one at a time, through lane 0 of the same vector ops.
    (block $gdone
      (loop $gloop
        (br_if $gdone (i32.ge_u (local.get $k) (local.get $groups)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $off (i32.const 0))
        (block $odone
          (loop $oloop
            (br_if $odone (i32.ge_u (local.get $off) (local.get $gb)))
            (local.set $a0 (i16x8.max_u (local.get $a0)
              (v128.and (v128.load (i32.add (local.get $p) (local.get $off))) (v128.const i16x8 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff))))
            (local.set $off (i32.add (local.get $off) (i32.const 16)))
            (br $oloop)))
        (local.set $h (i32x4.max_u (i32x4.extend_low_i16x8_u (local.get $a0)) (i32x4.extend_high_i16x8_u (local.get $a0))))
        (local.set $h (i32x4.max_u (local.get $h) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $h) (local.get $h))))
        (local.set $h (i32x4.max_u (local.get $h) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $h) (local.get $h))))
        (local.set $s4 (call $io16_scales (local.get $h) (local.get $div) (local.get $eps) (local.get $half)))
        (local.set $r4 (f32x4.div (v128.const f32x4 1 1 1 1) (local.get $s4)))
        (f64.store (local.get $sp) (f64.promote_f32 (f32x4.extract_lane 0 (local.get $s4))))
        (f64.store (local.get $zp) (f64.const 0))
        (if (i32x4.extract_lane 0 (call $io16_ok (local.get $s4) (local.get $r4)))
          (then (call $io16_group (local.get $p) (local.get $g)
                  (f32x4.extract_lane 0 (local.get $r4)) (f32x4.extract_lane 0 (local.get $s4))
                  (local.get $qmin) (local.get $qmax) (local.get $half)))
          (else (local.set $left (i32.add (local.get $left) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (local.get $gb)))
        (local.set $sp (i32.add (local.get $sp) (i32.const 8)))
        (local.set $zp (i32.add (local.get $zp) (i32.const 8)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $gloop)))
    (local.get $left))

;; ---- bfloat16 checkpoint bytes ↔ float32 values, in this memory (no copy through JS) ----

  ;; n bfloat16 values (u16) at src → float32 at dst (bits << 16, NaN payloads kept). Runs forward:
  ;; in place with the bytes in the upper half of the values' room (src = dst + 2n), as no write
  ;; reaches a byte still to be read.
  (func (export "widen_bf16") (param $src i32) (param $dst i32) (param $n i32)
    (local $vend i32) (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 1))))
    (local.set $vend (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 1))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $src) (local.get $vend)))
        (local.set $v (v128.load (local.get $src)))
        ;; Both halves come from $v, read before either store.
        (v128.store offset=16 (local.get $dst)
          (i8x16.shuffle 0 0 24 25 0 0 26 27 0 0 28 29 0 0 30 31 (v128.const i32x4 0 0 0 0) (local.get $v)))
        (v128.store (local.get $dst)
          (i8x16.shuffle 0 0 16 17 0 0 18 19 0 0 20 21 0 0 22 23 (v128.const i32x4 0 0 0 0) (local.get $v)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (br $vloop)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (i32.store (local.get $dst) (i32.shl (i32.load16_u (local.get $src)) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 2)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br $loop))))

  ;; n float32 values at src → their upper halves (bfloat16 bits, exact for bfloat16 values) at dst.
  ;; Runs forward: in place with dst = src.
  (func (export "narrow_bf16") (param $src i32) (param $dst i32) (param $n i32)
    (local $vend i32) (local $end i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $src) (local.get $vend)))
        (v128.store (local.get $dst)
          (i8x16.shuffle 2 3 6 7 10 11 14 15 18 19 22 23 26 27 30 31
            (v128.load (local.get $src)) (v128.load offset=16 (local.get $src))))
        (local.set $src (i32.add (local.get $src) (i32.const 32)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $vloop)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (i32.store16 (local.get $dst) (i32.shr_u (i32.load (local.get $src)) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 2)))
        (br $loop))))

;; ---- report statistics ----
  ;; Error statistics of fake quantization (src/report/stats.ts, its fast path): every value is
  ;; promoted to float64 before any arithmetic, as the JS loop does, so each term is the same
  ;; float64 number; only the summation order differs (lanes of f64x2 accumulators, in a fixed
  ;; order, so a chunk's sums do not depend on anything but its values). A NaN or ±inf makes the
  ;; sums non-finite, which is how callers know to rerun the chunk in the careful JS loop; finite
  ;; float32 values cannot overflow them (squares < 2^257, fewer than 2^31 terms). The upper two float32 lanes
  ;; of a vector are moved down by a shuffle (8..15) for f64x2.promote_low_f32x4.

  ;; Σx² of n float32 at p, in float64.
  (func (export "sum_squares") (param $p i32) (param $n i32) (result f64)
    (local $end i32) (local $vend i32) (local $v v128) (local $w v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $s f64) (local $x f64)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $p) (local.get $vend)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $w (v128.load offset=16 (local.get $p)))
        (local.set $a0 (f64x2.add (local.get $a0)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (f64x2.promote_low_f32x4 (local.get $v)))))
        (local.set $v (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))
        (local.set $a1 (f64x2.add (local.get $a1)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (f64x2.promote_low_f32x4 (local.get $v)))))
        (local.set $a2 (f64x2.add (local.get $a2)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $w)) (f64x2.promote_low_f32x4 (local.get $w)))))
        (local.set $w (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $w) (local.get $w)))
        (local.set $a3 (f64x2.add (local.get $a3)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $w)) (f64x2.promote_low_f32x4 (local.get $w)))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $vloop)))
    (local.set $a0 (f64x2.add (f64x2.add (local.get $a0) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3))))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (f64.promote_f32 (f32.load (local.get $p))))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $x))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $loop)))
    (local.get $s))

  ;; err_stats' other two results (read from JS as exported globals).
  (global $stats_max (export "stats_max") (mut f64) (f64.const 0))
  (global $stats_zeroed (export "stats_zeroed") (mut i32) (i32.const 0))

  ;; Over n float32 x at xp and y at yp: returns Σ(x − y)² and sets $stats_max to max |x − y| (0 for
  ;; n = 0) and $stats_zeroed to the count of y = 0 with x ≠ 0. The max is taken over the squares
  ;; (already computed for the sum) and its root returned: √(e²) rounded is |e| exactly in binary
  ;; floating point when e² neither overflows nor underflows (here 2^-298 ≤ e² ≤ 2^258), so the
  ;; rounded square is strictly increasing in |e| and the root of the largest is max |e| (Boldo, 2015).
  (func (export "err_stats") (param $xp i32) (param $yp i32) (param $n i32) (result f64)
    (local $end i32) (local $vend i32) (local $vx v128) (local $vy v128) (local $d v128)
    (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
    (local $m0 v128) (local $m1 v128) (local $z v128)
    (local $se f64) (local $m f64) (local $e f64) (local $zc i32) (local $x f32) (local $y f32)
    (local.set $end (i32.add (local.get $xp) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $xp) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $xp) (local.get $vend)))
        (local.set $vx (v128.load (local.get $xp)))
        (local.set $vy (v128.load (local.get $yp)))
        (local.set $z (i32x4.sub (local.get $z)
          (v128.and (f32x4.eq (local.get $vy) (v128.const f32x4 0 0 0 0)) (f32x4.ne (local.get $vx) (v128.const f32x4 0 0 0 0)))))
        (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (local.get $vx)) (f64x2.promote_low_f32x4 (local.get $vy))))
        (local.set $d (f64x2.mul (local.get $d) (local.get $d)))
        (local.set $e0 (f64x2.add (local.get $e0) (local.get $d)))
        (local.set $m0 (f64x2.pmax (local.get $m0) (local.get $d)))
        (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vx) (local.get $vx))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vy) (local.get $vy)))))
        (local.set $d (f64x2.mul (local.get $d) (local.get $d)))
        (local.set $e1 (f64x2.add (local.get $e1) (local.get $d)))
        (local.set $m1 (f64x2.pmax (local.get $m1) (local.get $d)))
        (local.set $vx (v128.load offset=16 (local.get $xp)))
        (local.set $vy (v128.load offset=16 (local.get $yp)))
        (local.set $z (i32x4.sub (local.get $z)
          (v128.and (f32x4.eq (local.get $vy) (v128.const f32x4 0 0 0 0)) (f32x4.ne (local.get $vx) (v128.const f32x4 0 0 0 0)))))
        (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (local.get $vx)) (f64x2.promote_low_f32x4 (local.get $vy))))
        (local.set $d (f64x2.mul (local.get $d) (local.get $d)))
        (local.set $e2 (f64x2.add (local.get $e2) (local.get $d)))
        (local.set $m0 (f64x2.pmax (local.get $m0) (local.get $d)))
        (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vx) (local.get $vx))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vy) (local.get $vy)))))
        (local.set $d (f64x2.mul (local.get $d) (local.get $d)))
        (local.set $e3 (f64x2.add (local.get $e3) (local.get $d)))
        (local.set $m1 (f64x2.pmax (local.get $m1) (local.get $d)))
        (local.set $xp (i32.add (local.get $xp) (i32.const 32)))
        (local.set $yp (i32.add (local.get $yp) (i32.const 32)))
        (br $vloop)))
    (local.set $e0 (f64x2.add (f64x2.add (local.get $e0) (local.get $e1)) (f64x2.add (local.get $e2) (local.get $e3))))
    (local.set $se (f64.add (f64x2.extract_lane 0 (local.get $e0)) (f64x2.extract_lane 1 (local.get $e0))))
    (local.set $m0 (f64x2.pmax (local.get $m0) (local.get $m1)))
    (local.set $m (f64x2.extract_lane 0 (local.get $m0)))
    (local.set $e (f64x2.extract_lane 1 (local.get $m0)))
    (local.set $m (select (local.get $e) (local.get $m) (f64.gt (local.get $e) (local.get $m))))
    (local.set $zc (i32.add (i32.add (i32x4.extract_lane 0 (local.get $z)) (i32x4.extract_lane 1 (local.get $z)))
                            (i32.add (i32x4.extract_lane 2 (local.get $z)) (i32x4.extract_lane 3 (local.get $z)))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $xp) (local.get $end)))
        (local.set $x (f32.load (local.get $xp)))
        (local.set $y (f32.load (local.get $yp)))
        (local.set $e (f64.sub (f64.promote_f32 (local.get $x)) (f64.promote_f32 (local.get $y))))
        (local.set $e (f64.mul (local.get $e) (local.get $e)))
        (local.set $se (f64.add (local.get $se) (local.get $e)))
        (local.set $m (select (local.get $e) (local.get $m) (f64.gt (local.get $e) (local.get $m))))
        (local.set $zc (i32.add (local.get $zc)
          (i32.and (f32.eq (local.get $y) (f32.const 0)) (f32.ne (local.get $x) (f32.const 0)))))
        (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
        (local.set $yp (i32.add (local.get $yp) (i32.const 4)))
        (br $loop)))
    (global.set $stats_max (f64.sqrt (local.get $m)))
    (global.set $stats_zeroed (local.get $zc))
    (local.get $se))

  ;; widen_bf16 and sum_squares in one pass: n bfloat16 at src → float32 at dst (the same overlaps
  ;; allowed), returning Σx² of the values with sum_squares' lanes and order, so the same bits.
  (func (export "widen_bf16_sum_squares") (param $src i32) (param $dst i32) (param $n i32) (result f64)
    (local $vend i32) (local $end i32) (local $v v128) (local $lo v128) (local $hi v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $s f64) (local $x f64)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 1))))
    (local.set $vend (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 1))))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $src) (local.get $vend)))
        (local.set $v (v128.load (local.get $src)))
        (local.set $lo (i8x16.shuffle 0 0 16 17 0 0 18 19 0 0 20 21 0 0 22 23 (v128.const i32x4 0 0 0 0) (local.get $v)))
        (local.set $hi (i8x16.shuffle 0 0 24 25 0 0 26 27 0 0 28 29 0 0 30 31 (v128.const i32x4 0 0 0 0) (local.get $v)))
        (v128.store offset=16 (local.get $dst) (local.get $hi))
        (v128.store (local.get $dst) (local.get $lo))
        (local.set $a0 (f64x2.add (local.get $a0)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $lo)) (f64x2.promote_low_f32x4 (local.get $lo)))))
        (local.set $lo (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo)))
        (local.set $a1 (f64x2.add (local.get $a1)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $lo)) (f64x2.promote_low_f32x4 (local.get $lo)))))
        (local.set $a2 (f64x2.add (local.get $a2)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $hi)) (f64x2.promote_low_f32x4 (local.get $hi)))))
        (local.set $hi (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $hi) (local.get $hi)))
        (local.set $a3 (f64x2.add (local.get $a3)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $hi)) (f64x2.promote_low_f32x4 (local.get $hi)))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (br $vloop)))
    (local.set $a0 (f64x2.add (f64x2.add (local.get $a0) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3))))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (i32.store (local.get $dst) (i32.shl (i32.load16_u (local.get $src)) (i32.const 16)))
        (local.set $x (f64.promote_f32 (f32.load (local.get $dst))))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $x))))
        (local.set $src (i32.add (local.get $src) (i32.const 2)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br $loop)))
    (local.get $s))
)
