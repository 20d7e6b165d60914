/**
 * Reading experiment configs from YAML or JSON files. Syntax errors name the file (and the
 * line, from the parser); content errors come from `decodeExperiment` with every path listed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import YAML from 'yaml';
import { ConfigError, decodeExperimentInput, resolveExperiment, type Experiment, type ExperimentInput } from './config.js';

/**
 * Parses a config file by its extension (.yaml, .yml or .json) without decoding it.
 * Throws `ConfigError` for a missing file, an unknown extension or a syntax error.
 */
export function parseConfigFile(path: string): unknown {
  if (!existsSync(path)) throw new ConfigError(path, [{ path: '(file)', message: 'not found; pass a preset name or the path of a .yaml, .yml or .json file' }]);
  const extension = extname(path).toLowerCase();
  const text = readFileSync(path, 'utf8');
  try {
    if (extension === '.json') return JSON.parse(text) as unknown;
    if (extension === '.yaml' || extension === '.yml') return YAML.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(path, [{ path: '(file)', message: `not valid ${extension === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}` }]);
  }
  throw new ConfigError(path, [{ path: '(file)', message: `unknown extension '${extension}'; expected .yaml, .yml or .json` }]);
}

/**
 * Reads and decodes an experiment config file without resolving it. Without a `name` field the
 * experiment is named after the file.
 */
export function readExperimentInput(path: string): ExperimentInput {
  const value = parseConfigFile(path);
  const named = typeof value === 'object' && value !== null && !Array.isArray(value) && !('name' in value)
    ? { name: basename(path, extname(path)), ...value }
    : value;
  return decodeExperimentInput(named, path);
}

/**
 * Reads, decodes and resolves an experiment config file (see `readExperimentInput`).
 *
 * @example const experiment = readExperimentFile('configs/hermite.yaml');
 */
export function readExperimentFile(path: string): Experiment {
  return resolveExperiment(readExperimentInput(path), path);
}
