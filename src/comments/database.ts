import type { Kysely } from 'kysely';
import type { Settings } from '../config/settings';
import { openDatabase } from '../store/database';
import { commentsMigrations } from './migrations';
import type { CommentsSchema } from './schema';

export type CommentsDb = Kysely<CommentsSchema>;

/** The file under the data directory; the service and the moderation commands share it. */
export const COMMENTS_DB_FILE = 'comments.sqlite';

/** Opens comments.sqlite (or DATABASE_URL's schema parley_comments) and brings its schema up to date. */
export function openCommentsDatabase(settings: Pick<Settings, 'dataDir' | 'databaseUrl'> & Partial<Pick<Settings, 'databasePoolMax'>>): Promise<CommentsDb> {
  return openDatabase<CommentsSchema>({
    dataDir: settings.dataDir,
    fileName: COMMENTS_DB_FILE,
    databaseUrl: settings.databaseUrl,
    databasePoolMax: settings.databasePoolMax,
    migrations: commentsMigrations,
  });
}
