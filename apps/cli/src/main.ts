import { runEval, EVAL_USAGE } from './commands/eval.js';
import { EVALUATE_USAGE, runEvaluate } from './commands/evaluate.js';
import { RENDER_USAGE, runRender } from './commands/render.js';
import { TRAIN_USAGE, runTrain } from './commands/train.js';
import { type CommandIo, UsageError } from './flags.js';

interface Command {
  summary: string;
  usage: string;
  run: (argv: string[], io: CommandIo) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  train: { summary: 'train a CAM model and write its run folder', usage: TRAIN_USAGE, run: runTrain },
  eval: { summary: 'test accuracy of a trained model', usage: EVAL_USAGE, run: runEval },
  render: {
    summary: 'class activation maps of dataset images as PNGs, a montage and .npy',
    usage: RENDER_USAGE,
    run: runRender,
  },
  evaluate: {
    summary: 'CAM methods and baselines on faithfulness, localization and sanity metrics',
    usage: EVALUATE_USAGE,
    run: runEvaluate,
  },
};

const USAGE = `usage: cam <command> [flags]   (cam <command> --help for its flags)
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}`;

const io: CommandIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

/** Runs the command line; returns the exit status (2 for usage errors). */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!Object.hasOwn(COMMANDS, name) || command === undefined) {
    io.stderr(`cam: unknown command '${name}'\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`usage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`cam ${name}: ${err.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    io.stderr(`cam ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
