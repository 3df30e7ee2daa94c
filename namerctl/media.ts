/**
 * namerd's media type for a dtab with its version, `{"version","dtab":[…]}` (the shape of
 * `get --json`), on a plain GET and on every document of a dtab watch. namerd defines it in
 * namerd/api/dtab-codec.ts; namerctl does not import namerd's server code.
 */
export const VERSIONED = 'application/vnd.namerd.versioned+json'
