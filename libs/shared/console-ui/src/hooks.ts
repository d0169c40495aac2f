import { useEffect, useState } from 'preact/hooks';
import { liveStore } from './api.client';

/** Re-renders the calling view when the live store changes (at most once per animation frame). */
export function useLiveStore(): number {
  const [version, setVersion] = useState(liveStore.version);
  useEffect(() => {
    let frame = 0;
    return liveStore.subscribe(() => {
      if (!frame) frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion(liveStore.version);
      });
    });
  }, []);
  return version;
}

/** Loads data for a view, with its error; `reload` fetches again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (d) => live && (setData(d), setError(null)),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}
