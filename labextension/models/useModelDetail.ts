/**
 * The state behind a model view: the model, its versions, its aliases with history and
 * the selected version with its evaluation, plus the actions (promote / roll back,
 * publish, archive) that change them. Every failure keeps the server's message.
 */
import { useCallback, useEffect, useState } from 'react';

import * as api from './api';
import { IAliases, IModel, IModelVersion, IVersionPatch } from './types';

export interface IModelDetail {
  model: IModel | null;
  versions: IModelVersion[];
  aliases: IAliases | null;
  selected: number | null;
  detail: IModelVersion | null;
  error: string | null;
  busy: boolean;
  /** Bumped after every load, so dependants (inferences) refresh too. */
  loads: number;
}

export interface IModelDetailActions {
  select: (version: number) => void;
  reload: () => void;
  promote: (stage: string, version: number) => void;
  patch: (version: number, patch: IVersionPatch) => void;
}

export function useModelDetail(
  name: string,
  initialVersion: number | undefined,
  reloadKey: number
): [IModelDetail, IModelDetailActions] {
  const [state, setState] = useState<IModelDetail>({
    model: null,
    versions: [],
    aliases: null,
    selected: initialVersion ?? null,
    detail: null,
    error: null,
    busy: false,
    loads: 0
  });
  const [tick, setTick] = useState(0);
  const set = (patch: Partial<IModelDetail>) => setState(s => ({ ...s, ...patch }));

  useEffect(() => {
    if (initialVersion !== undefined) {
      set({ selected: initialVersion });
    }
  }, [initialVersion, reloadKey]);

  useEffect(() => {
    let live = true;
    Promise.all([api.getModel(name), api.listVersions(name), api.getAliases(name)])
      .then(([model, versions, aliases]) => {
        if (live) {
          setState(s => {
            const known = versions.some(v => v.version === s.selected);
            return {
              ...s,
              model,
              versions,
              aliases,
              selected: known ? s.selected : (versions[0]?.version ?? null),
              error: null,
              loads: s.loads + 1
            };
          });
        }
      })
      .catch(e => live && set({ error: (e as Error).message }));
    return () => {
      live = false;
    };
  }, [name, reloadKey, tick]);

  useEffect(() => {
    if (state.selected === null) {
      return;
    }
    let live = true;
    api
      .getVersion(name, state.selected)
      .then(detail => live && set({ detail }))
      .catch(e => live && set({ error: (e as Error).message }));
    return () => {
      live = false;
    };
  }, [name, state.selected, state.loads]);

  const run = useCallback((action: () => Promise<unknown>) => {
    set({ busy: true });
    action()
      .then(() => {
        set({ busy: false, error: null });
        setTick(t => t + 1);
      })
      .catch(e => set({ busy: false, error: (e as Error).message }));
  }, []);

  const actions: IModelDetailActions = {
    select: version => set({ selected: version }),
    reload: () => setTick(t => t + 1),
    promote: (stage, version) => run(() => api.setAlias(name, stage, version)),
    patch: (version, patch) => run(() => api.patchVersion(name, version, patch))
  };
  return [state, actions];
}
