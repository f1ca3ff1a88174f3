// Tables and the JSON summary of bench:sessions.
import { cell, compare, formatRatio, percentile, stats, type Stats } from "./bench-stats";
import type { ClassroomResult, WarmSample } from "./sessions-warm";

export interface ColdSample {
  ready: number;
  prompt: number;
  remove: number;
  server?: number;
}

/** p50 / p95 / max (and the mean): the targets of issue 14 are on the p95. */
interface Spread extends Stats {
  max: number;
}

function spread(values: number[]): Spread {
  return { ...stats(values), max: Math.round(Math.max(...values)) };
}

function row(name: string, s: Spread): string {
  return `${name.padEnd(46)}${cell(s.p50)}${cell(s.p95)}${cell(s.max)}${cell(s.mean)}`;
}

const HEADER = `${"".padEnd(46)}      p50      p95      max     mean   [ms]`;

export function reportCold(
  kubelab: ColdSample[],
  baseline: ColdSample[],
  run: { n: number; parallel: boolean; warmup: number; profile: string },
): Record<string, unknown> & { baselineReady: Stats } {
  const mode = run.parallel ? `parallel (${run.n} at once)` : "sequential";
  console.log(`\nCold (POOL_SIZE=0) — N=${run.n}, ${mode}, warm-up ${run.warmup}, profile ${run.profile}`);
  console.log(
    "   #  kubelab ready  (server)  k. prompt  baseline ready  b. prompt  kubelab delete  b. teardown   [ms]",
  );
  kubelab.forEach((k, i) => {
    const b = baseline[i];
    console.log(
      `${cell(i + 1, 4)}${cell(k.ready, 15)}${cell(k.server, 10)}${cell(k.prompt, 11)}${cell(b?.ready, 16)}` +
        `${cell(b?.prompt, 11)}${cell(k.remove, 16)}${cell(b?.remove, 13)}`,
    );
  });
  const figures = {
    ready: spread(kubelab.map((s) => s.ready)),
    serverReady: spread(kubelab.map((s) => s.server ?? Number.NaN)),
    prompt: spread(kubelab.map((s) => s.prompt)),
    delete: spread(kubelab.map((s) => s.remove)),
    baselineReady: spread(baseline.map((s) => s.ready)),
    baselinePrompt: spread(baseline.map((s) => s.prompt)),
    baselineTeardown: spread(baseline.map((s) => s.remove)),
  };
  console.log(`\n${HEADER}`);
  console.log(row("Kubelab POST -> ready (client-observed)", figures.ready));
  console.log(row("Kubelab ready (server readyAt-createdAt)", figures.serverReady));
  console.log(row("Kubelab POST -> prompt (terminal WebSocket)", figures.prompt));
  console.log(row("Baseline -> both engines answer (dockerode)", figures.baselineReady));
  console.log(row("Baseline -> prompt (docker exec bash -l)", figures.baselinePrompt));
  console.log(row("Kubelab delete (DELETE -> 204)", figures.delete));
  console.log(row("Baseline teardown (dockerode)", figures.baselineTeardown));
  // Median of the per-pair differences: less sensitive to drift than the difference of the medians.
  const paired = (pick: (s: ColdSample) => number): number =>
    Math.round(
      percentile(
        kubelab.map((k, i) => pick(k) - pick(baseline[i] ?? k)),
        50,
      ),
    );
  const ratios = {
    ready: { ...compare(figures.ready, figures.baselineReady), pairedMedianOverheadMs: paired((s) => s.ready) },
    prompt: { ...compare(figures.prompt, figures.baselinePrompt), pairedMedianOverheadMs: paired((s) => s.prompt) },
    delete: { ...compare(figures.delete, figures.baselineTeardown), pairedMedianOverheadMs: paired((s) => s.remove) },
  };
  console.log("");
  for (const [name, c] of Object.entries(ratios)) {
    const [p50, p95] = [formatRatio(c.ratioP50, c.overheadP50Ms), formatRatio(c.ratioP95, c.overheadP95Ms)];
    const pairedMs = `${c.pairedMedianOverheadMs >= 0 ? "+" : ""}${c.pairedMedianOverheadMs} ms`;
    console.log(`Kubelab/baseline ${name.padEnd(6)}  p50 ${p50.padEnd(20)} p95 ${p95.padEnd(20)} paired ${pairedMs}`);
  }
  return { ...run, ...figures, kubelabVsBaseline: ratios };
}

/** Warm claims and the classroom; ratios to the cold baseline's ready (when the cold case ran). */
export function reportWarm(
  warm: WarmSample[] | undefined,
  classroom: ClassroomResult | undefined,
  coldBaselineReady: Stats | undefined,
  settings: { warmPool: number; concurrency: number },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const vsCold = (s: Spread): string =>
    coldBaselineReady ? `  p95 = ${(s.p95 / coldBaselineReady.p95).toFixed(2)} x cold baseline ready p95` : "";
  if (warm?.length) {
    const hits = warm.filter((w) => w.fromPool);
    const figures = {
      claims: warm.length,
      fromPool: hits.length,
      ready: spread(hits.map((w) => w.ready)),
      firstByte: spread(hits.map((w) => w.firstByte)),
      prompt: spread(hits.map((w) => w.prompt)),
      baselinePrompt: spread(hits.map((w) => w.baselinePrompt)),
    };
    console.log(
      `\nWarm (POOL_SIZE=${settings.warmPool}, each claim from a full pool) — ${hits.length}/${warm.length} from the pool`,
    );
    console.log(HEADER);
    console.log(`${row("POST -> ready (the 201)", figures.ready)}${vsCold(figures.ready)}`);
    console.log(row("POST -> first terminal byte", figures.firstByte));
    console.log(`${row("POST -> prompt (terminal WebSocket)", figures.prompt)}${vsCold(figures.prompt)}`);
    console.log(row("Baseline: docker exec bash -l -> prompt", figures.baselinePrompt));
    const c = compare(figures.prompt, figures.baselinePrompt);
    console.log(
      `Warm POST->prompt / docker exec prompt: p50 ${formatRatio(c.ratioP50, c.overheadP50Ms)}, p95 ${formatRatio(c.ratioP95, c.overheadP95Ms)}`,
    );
    out.warm = { ...figures, promptVsDockerExec: c };
  }
  if (classroom) {
    const { claims, users } = classroom;
    const fromPool = claims.filter((c) => c.fromPool).length;
    const figures = {
      users,
      poolSize: users,
      concurrency: settings.concurrency,
      fillMs: Math.round(classroom.fillMs),
      pooledAtStart: classroom.pooledAtStart,
      fromPool,
      ready: spread(claims.map((c) => c.ready)),
      prompt: spread(claims.map((c) => c.prompt)),
      allPromptsMs: Math.round(classroom.allPromptsMs),
    };
    console.log(
      `\nClassroom: ${users} attendees click Start within 1 s (POOL_SIZE=${users}, POOL_CONCURRENCY=${settings.concurrency})`,
    );
    console.log(
      `pool filled ${classroom.pooledAtStart}/${users} in ${figures.fillMs} ms after the server start; ${fromPool}/${users} claims from the pool`,
    );
    console.log(HEADER);
    console.log(row("POST -> ready, per attendee", figures.ready));
    console.log(row("POST -> prompt, per attendee", figures.prompt));
    console.log(
      `first POST -> every attendee has a prompt: ${figures.allPromptsMs} ms${vsCold(spread([figures.allPromptsMs]))}`,
    );
    out.classroom = figures;
  }
  return out;
}
