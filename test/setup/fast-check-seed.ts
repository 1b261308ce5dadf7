/**
 * fast-check draws new cases on every run: that is how its properties find what fixed cases miss. FQC_FC_SEED pins
 * them. .ci/run sets it from the commit, so one commit's CI run draws the same cases wherever it runs (a green run is
 * green again, a failure replays), and each new commit draws new ones; plain `npm test` keeps drawing at random.
 */
import fc from "fast-check";

const seed = process.env.FQC_FC_SEED;
if (seed !== undefined && seed !== "") {
  if (!/^\d{1,9}$/.test(seed)) throw new Error(`FQC_FC_SEED must be a whole number below 10^9, not ${JSON.stringify(seed)}`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(seed) });
}
