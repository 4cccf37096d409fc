/**
 * Child-process entry of the benchmark: runs one case and prints one JSON line
 * (`node --import tsx case-main.ts <case> <batch> <images>`); main.ts spawns one per case.
 */
import { runCase } from './cases.js';
import { CASES, type CaseName } from './options.js';

const [name, batch, images] = process.argv.slice(2);
if (!(CASES as readonly string[]).includes(name ?? '')) throw new Error(`unknown case '${name}'`);
const measured = await runCase(name as CaseName, Number(batch), Number(images));
const peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ ...measured, peakRssMb })}\n`);
