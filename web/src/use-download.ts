import { useCallback, useState } from 'preact/hooks';
import { dataOrThrow, saveBlob } from './api';

type BlobResult = { data?: Blob; error?: unknown; response: Response };

/** A download through the typed client (parseAs: 'blob'), offered as a file; its failure is kept to show. */
export function useDownload(): { download(request: () => Promise<BlobResult>, fallbackName: string): Promise<void>; error: unknown } {
  const [error, setError] = useState<unknown>(null);
  const download = useCallback(async (request: () => Promise<BlobResult>, fallbackName: string) => {
    setError(null);
    try {
      const result = await request();
      saveBlob(dataOrThrow(result), result.response, fallbackName);
    } catch (caught) {
      setError(caught);
    }
  }, []);
  return { download, error };
}
