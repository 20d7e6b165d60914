/** The table that `icl-lab presets` prints: one row per preset with its sizes and training length. */
import type { Experiment } from '../experiment/index.js';

/** A preset as the table shows it. */
export interface PresetRow {
  readonly name: string;
  readonly description: string;
  readonly experiment: Experiment;
}

/**
 * Formats presets as a Markdown table: name, d, n, model (L/H/E), batch size, steps, curriculum
 * modes and description.
 *
 * @example presetTable([{ name: 'quickstart', description: '...', experiment }])
 */
export function presetTable(rows: readonly PresetRow[]): string {
  const header = ['preset', 'd', 'n', 'model L/H/E', 'batch', 'steps', 'schedule', 'description'];
  const lines = rows.map(({ name, description, experiment }) => {
    const { model, task, training } = experiment;
    return [
      name,
      String(task.dims),
      String(task.points),
      `${model.nLayer}/${model.nHead}/${model.nEmbd}`,
      String(training.batchSize),
      String(training.steps),
      scheduleOf(experiment),
      description,
    ];
  });
  const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [row(header), row(header.map(() => '---')), ...lines.map(row)].join('\n');
}

function scheduleOf(experiment: Experiment): string {
  const { curriculum } = experiment.task;
  const parts: string[] = [];
  if (curriculum.tasks !== undefined && !('mode' in curriculum.tasks && curriculum.tasks.mode === 'single')) {
    parts.push('weights' in curriculum.tasks ? 'tasks weighted' : `tasks ${curriculum.tasks.mode}`);
  }
  if (curriculum.data !== undefined) parts.push(`data ${curriculum.data.mode}`);
  if (typeof curriculum.activeDims !== 'number' || typeof curriculum.points !== 'number') parts.push('size ramp');
  return parts.length === 0 ? 'none' : parts.join(', ');
}
