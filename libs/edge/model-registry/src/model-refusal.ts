/**
 * Why a model was not activated. Machine-readable, for metrics labels and alerts; the `reason`
 * next to it is for humans. (To move to @millwright/contracts once the central platform reports
 * them too.)
 */
export type ModelRefusalCode =
  /** Trusted keys are configured (or the source requires signing) and there is no signature. */
  | 'signature_missing'
  /** The signature file is malformed, or no trusted key verifies it over the card bytes. */
  | 'signature_invalid'
  /** The signature names a key that is not trusted, or no keys are configured for a source that needs them. */
  | 'untrusted_key'
  /** The card is not JSON, or fails the schema and consistency checks. */
  | 'card_invalid'
  /** The model bytes do not hash to (or are not the length of) what the card says. */
  | 'hash_mismatch'
  /** The release pointer is malformed or disagrees with the card it points to. */
  | 'release_invalid'
  /** The release's objects could not be fetched (missing or unreadable). */
  | 'release_incomplete'
  /** onnxruntime could not create a session from the bytes. */
  | 'load_failed'
  /** The session was created but a zero-window inference failed or gave the wrong names, shapes or non-finite values. */
  | 'smoke_failed';

export interface ModelRefusal {
  code: ModelRefusalCode;
  reason: string;
}

/** A refusal as kept in the registry's status: which release, from where, and when. */
export interface ModelRefusalRecord extends ModelRefusal {
  /** The version the release claimed, if it got far enough to claim one. */
  version?: string;
  origin: string;
  at: Date;
}
