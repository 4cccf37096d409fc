import { describe, expect, it } from 'vitest';
import { demoOptionsFrom, stackOptionsFrom } from '../src/config.js';

describe('stackOptionsFrom', () => {
  it('defaults to port 3000, 2 trainers and 1 renderer', () => {
    expect(stackOptionsFrom([], {})).toEqual({
      port: 3000,
      trainers: 2,
      renderers: 1,
      artifactsDir: undefined,
    });
  });

  it('takes flags over the environment', () => {
    const env = { PORT: '4000', TRAINERS: '3', RENDERERS: '0', ARTIFACTS_DIR: '/tmp/a' };
    expect(stackOptionsFrom([], env)).toEqual({
      port: 4000,
      trainers: 3,
      renderers: 0,
      artifactsDir: '/tmp/a',
    });
    expect(stackOptionsFrom(['--trainers', '4', '--port=5000', '--artifacts', '/tmp/b'], env)).toEqual({
      port: 5000,
      trainers: 4,
      renderers: 0,
      artifactsDir: '/tmp/b',
    });
  });

  it.each([
    [['--trainers', 'two'], {}, /--trainers \/ TRAINERS must be a whole number >= 0, got 'two'/],
    [[], { RENDERERS: '-1' }, /RENDERERS must be a whole number/],
    [['--port', '70000'], {}, /PORT must be 1..65535/],
    [['--workers', '2'], {}, /Unknown option '--workers'/],
  ])('rejects %j %j with a message naming the setting', (argv, env, message) => {
    expect(() => stackOptionsFrom(argv, env)).toThrow(message);
  });
});

describe('demoOptionsFrom', () => {
  it('leaves the defaults to runDemo and reads the sizes', () => {
    expect(demoOptionsFrom([])).toEqual({});
    expect(
      demoOptionsFrom([
        '--train-size',
        '2000',
        '--epochs',
        '1',
        '--samples',
        '3',
        '--seed',
        '7',
        '--out',
        '/tmp/o',
      ]),
    ).toEqual({
      trainSize: 2000,
      epochs: 1,
      samples: 3,
      seed: 7,
      outDir: '/tmp/o',
    });
  });

  it.each([
    [['--epochs', '0'], /--epochs and --samples must be at least 1/],
    [['--samples', '0'], /--samples must be at least 1/],
    [['--train-size', '1e3x'], /--train-size must be a whole number >= 0, got '1e3x'/],
  ])('rejects %j', (argv, message) => {
    expect(() => demoOptionsFrom(argv)).toThrow(message);
  });
});
