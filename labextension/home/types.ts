/** Shapes of `GET /mlhub/api/v1/home` (generated: mlhub_ext/server/schemas/home.py). */
import type { Schemas } from '../api/types';

export type IHomeRun = Schemas['HomeRun'];

export type IHomeJob = Schemas['Job'];

export type ActivityKind = Schemas['HomeActivity']['kind'];

export type IActivity = Schemas['HomeActivity'];

export type IHomeHolding = Schemas['Holding'];

export type IHome = Schemas['Home'];
