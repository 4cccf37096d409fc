import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTrainArgs } from '../src/commands/train.js';
import { UsageError } from '../src/flags.js';

const CAM = resolve(import.meta.dirname, '../../../bin/cam.mjs');
const root = mkdtempSync(join(tmpdir(), 'cam-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A small architecture spec file, so that real training runs take seconds. */
const tinyArch = join(root, 'tiny.json');
writeFileSync(
  tinyArch,
  JSON.stringify({
    name: 'tiny',
    inputShape: [28, 28, 1],
    convs: [
      { filters: 4, kernelSize: 3 },
      { filters: 8, kernelSize: 3 },
    ],
    classes: 10,
  }),
);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `cam` as a child process; `onStderr` sees the stderr text so far (to send it a signal mid-run). */
function cam(args: string[], onStderr?: (text: string, child: ChildProcess) => void): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CAM, ...args], { env: { ...process.env, CAM_BACKEND: 'wasm' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, child);
    });
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

describe('cam train flags', () => {
  it.each([
    [['--epochs', '2'], /--out DIR is required/],
    [['--out', 'x', '--epochs', 'two'], /--epochs: 'two' is not a number/],
    [['--out', 'x', '--epochs', '1.5'], /--epochs: must be an integer, got 1\.5/],
    [['--out', 'x', '--lr=-1'], /--lr: must be greater than 0, got -1/],
    [['--out', 'x', '--validation-split', '1'], /--validation-split: must be at most 0\.99/],
    [['--out', 'x', '--optimizer', 'rmsprop'], /--optimizer: must be one of adam, sgd, got 'rmsprop'/],
    [['--out', 'x', '--backend', 'gpu'], /--backend: must be one of auto, tensorflow, wasm, cpu/],
    [['--out', 'x', '--lr-schedule', 'step:0:2'], /--lr-schedule: step:EVERY:FACTOR needs EVERY >= 1/],
    [['--out', 'x', '--lr-schedule', 'linear'], /--lr-schedule: constant, cosine or step:EVERY:FACTOR/],
    [['--out', 'x', '--patience', '3', '--validation-split', '0'], /--patience needs a validation set/],
    [['--out', 'x', 'extra'], /Unexpected argument 'extra'/],
  ])('%j is a usage error', (args, message) => {
    expect(() => parseTrainArgs(args)).toThrow(UsageError);
    expect(() => parseTrainArgs(args)).toThrow(message);
  });

  it('turns flags into training options', () => {
    const { options, json } = parseTrainArgs([
      '--out',
      'runs/a',
      '--arch',
      'c2',
      '--epochs',
      '3',
      '--lr',
      '0.001',
      '--lr-schedule',
      'step:2:10',
      '--optimizer',
      'sgd',
      '--momentum',
      '0.8',
      '--json',
    ]);
    expect(json).toBe(true);
    expect(options).toMatchObject({
      outDir: resolve('runs/a'),
      arch: 'c2',
      epochs: 3,
      learningRate: 0.001,
      lrSchedule: { kind: 'step', everyEpochs: 2, factor: 10 },
      optimizer: 'sgd',
      momentum: 0.8,
    });
  });
});

describe('cam (child process)', () => {
  it('prints help with exit 0 and the usage on bad commands and flags with exit 2', async () => {
    const help = await cam(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/train.*\n.*eval.*\n.*render/);
    const trainHelp = await cam(['train', '--help']);
    expect(trainHelp).toMatchObject({ code: 0, stdout: expect.stringMatching(/--batch-size N/) });
    const cases: [string[], RegExp][] = [
      [[], /usage: cam <command>/],
      [['fly'], /unknown command 'fly'/],
      [['train', '--out', join(root, 'x'), '--bogus'], /Unknown option '--bogus'/],
      [
        ['train', '--out', join(root, 'x'), '--arch', 'c7'],
        /--arch: 'c7': neither a preset nor an existing file/,
      ],
      [['eval', '--model', join(root, 'nothing')], /nothing\/model\.json: not found/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cam(args)));
    runs.forEach((r, i) => {
      const [args, message] = cases[i]!;
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }, 120_000);

  it('trains, writes the run folder, prints metrics.json with --json, and evaluates the model', async () => {
    const out = join(root, 'run');
    const r = await cam([
      'train',
      '--arch',
      tinyArch,
      '--dataset',
      'mnist',
      '--train-size',
      '200',
      '--test-size',
      '100',
      '--epochs',
      '2',
      '--batch-size',
      '50',
      '--lr',
      '0.01',
      '--seed',
      '3',
      '--out',
      out,
      '--json',
    ]);
    expect(r.stderr).toMatch(/backend: wasm/);
    // stderr is a pipe here: progress comes as plain lines, not silence
    expect(r.stderr).toMatch(/epoch \d\/2 \|.*\| loss [\d.]+ acc [\d.]+ \| [\d.]+ img\/s/);
    expect(r.code).toBe(0);
    const metrics = JSON.parse(r.stdout);
    expect(metrics).toMatchObject({
      arch: 'tiny',
      dataset: 'mnist',
      epochs: 2,
      epochsRun: 2,
      trainSize: 160,
      testSize: 100,
      backend: 'wasm',
    });
    expect(metrics).toEqual(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')));
    expect(readdirSync(out).sort()).toEqual([
      'confusion-test.csv',
      'confusion-train.csv',
      'curves.png',
      'metrics.json',
      'model.json',
      'weights.bin',
    ]);
    const ev = await cam(['eval', '--model', out, '--test-size', '100', '--json']);
    expect(ev.code).toBe(0);
    expect(JSON.parse(ev.stdout)).toMatchObject({ count: 100, accuracy: metrics.testAccuracy });
  }, 300_000);

  it('stops on SIGINT with a checkpoint (exit 130), and the same command resumes it', async () => {
    const out = join(root, 'interrupted');
    const args = [
      'train',
      '--arch',
      tinyArch,
      '--train-size',
      '200',
      '--test-size',
      '50',
      '--epochs',
      '3',
      '--batch-size',
      '20',
      '--out',
      out,
    ];
    let sent = false;
    const stopped = await cam(args, (text, child) => {
      if (!sent && text.includes('epoch 1/3: loss')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(stopped.stderr).toMatch(/SIGINT: stopping after this step/);
    expect(stopped.code).toBe(130);
    expect(existsSync(join(out, 'checkpoint', 'state.json'))).toBe(true);
    expect(existsSync(join(out, 'metrics.json'))).toBe(false);
    const resumed = await cam(args);
    expect(resumed.stderr).toMatch(/resuming from .*checkpoint: epoch [12] done/);
    expect(resumed.code).toBe(0);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.history.map((h: { epoch: number }) => h.epoch)).toEqual([1, 2, 3]);
  }, 300_000);
});
