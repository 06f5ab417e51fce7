/** Entry point for SQL files: keeps only the part the migration tool runs going up, then reads it. */
import type { SourceFile } from '../events';
import { upSection, type MigrationTool } from '../../workspace/discovery';
import { readPostgres } from './postgres';

export function readSqlFile(path: string, text: string, tool: MigrationTool): SourceFile {
  return readPostgres(path, upSection(text, tool));
}
