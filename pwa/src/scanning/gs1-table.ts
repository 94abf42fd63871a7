// The GS1 Application Identifiers Cangku reads: the same text table as server/scanning/gs1_table.py.
//
// Rows use the GS1 Barcode Syntax Dictionary line format (https://github.com/gs1/gs1-syntax-dictionary):
// `AI-or-range  [*]  spec  # TITLE`; `*` = predefined length (no FNC1 after it), N = digits,
// X = GS1 character set 82, `N6` fixed / `X..20` variable length, linters `csum` (mod-10 check
// digit), `yymmd0` (date, day 00 allowed), `yymmdd` (date, day 00 refused).
// AI_DICTIONARY must stay byte-identical to the Python one: tests/unit/scanning/test_gs1_table.py
// compares them. Edit both.

export const AI_DICTIONARY = `00         *  N18,csum     # SSCC
01         *  N14,csum     # GTIN
02         *  N14,csum     # CONTENT
03         *  N14,csum     # MTO GTIN
10            X..20        # BATCH/LOT
11         *  N6,yymmd0    # PROD DATE
12         *  N6,yymmd0    # DUE DATE
13         *  N6,yymmd0    # PACK DATE
15         *  N6,yymmd0    # BEST BEFORE or BEST BY
16         *  N6,yymmd0    # SELL BY
17         *  N6,yymmd0    # USE BY or EXPIRY
20         *  N2           # VARIANT
21            X..20        # SERIAL
22            X..20        # CPV
235           X..28        # TPX
240           X..30        # ADDITIONAL ID
241           X..30        # CUST. PART No.
242           N..6         # MTO VARIANT
243           X..20        # PCN
250           X..30        # SECONDARY SERIAL
251           X..30        # REF. TO SOURCE
254           X..20        # GLN EXTENSION COMPONENT
30            N..8         # VAR. COUNT
3100-3105  *  N6           # NET WEIGHT (kg)
3110-3115  *  N6           # LENGTH (m)
3120-3125  *  N6           # WIDTH (m)
3130-3135  *  N6           # HEIGHT (m)
3140-3145  *  N6           # AREA (m²)
3150-3155  *  N6           # NET VOLUME (l)
3160-3165  *  N6           # NET VOLUME (m³)
3200-3205  *  N6           # NET WEIGHT (lb)
3210-3215  *  N6           # LENGTH (in)
3220-3225  *  N6           # LENGTH (ft)
3230-3235  *  N6           # LENGTH (yd)
3240-3245  *  N6           # WIDTH (in)
3250-3255  *  N6           # WIDTH (ft)
3260-3265  *  N6           # WIDTH (yd)
3270-3275  *  N6           # HEIGHT (in)
3280-3285  *  N6           # HEIGHT (ft)
3290-3295  *  N6           # HEIGHT (yd)
3300-3305  *  N6           # GROSS WEIGHT (kg)
3310-3315  *  N6           # LENGTH (m), log
3320-3325  *  N6           # WIDTH (m), log
3330-3335  *  N6           # HEIGHT (m), log
3340-3345  *  N6           # AREA (m²), log
3350-3355  *  N6           # VOLUME (l), log
3360-3365  *  N6           # VOLUME (m³), log
3370-3375  *  N6           # KG PER m²
3400-3405  *  N6           # GROSS WEIGHT (lb)
3410-3415  *  N6           # LENGTH (in), log
3420-3425  *  N6           # LENGTH (ft), log
3430-3435  *  N6           # LENGTH (yd), log
3440-3445  *  N6           # WIDTH (in), log
3450-3455  *  N6           # WIDTH (ft), log
3460-3465  *  N6           # WIDTH (yd), log
3470-3475  *  N6           # HEIGHT (in), log
3480-3485  *  N6           # HEIGHT (ft), log
3490-3495  *  N6           # HEIGHT (yd), log
3500-3505  *  N6           # AREA (in²)
3510-3515  *  N6           # AREA (ft²)
3520-3525  *  N6           # AREA (yd²)
3530-3535  *  N6           # AREA (in²), log
3540-3545  *  N6           # AREA (ft²), log
3550-3555  *  N6           # AREA (yd²), log
3560-3565  *  N6           # NET WEIGHT (tr oz)
3570-3575  *  N6           # NET VOLUME (oz)
3600-3605  *  N6           # NET VOLUME (qt (US))
3610-3615  *  N6           # NET VOLUME (gal.)
3620-3625  *  N6           # VOLUME (qt (US)), log
3630-3635  *  N6           # VOLUME (gal (US)), log
3640-3645  *  N6           # NET VOLUME (in³)
3650-3655  *  N6           # NET VOLUME (ft³)
3660-3665  *  N6           # NET VOLUME (yd³)
3670-3675  *  N6           # VOLUME (in³), log
3680-3685  *  N6           # VOLUME (ft³), log
3690-3695  *  N6           # VOLUME (yd³), log
37            N..8         # COUNT
3900-3909     N..15        # AMOUNT
3920-3929     N..15        # PRICE
400           X..30        # ORDER NUMBER
401           X..30        # GINC
402           N17,csum     # GSIN
403           X..30        # ROUTE
410        *  N13,csum     # SHIP TO LOC
411        *  N13,csum     # BILL TO
412        *  N13,csum     # PURCHASE FROM
413        *  N13,csum     # SHIP FOR LOC
414        *  N13,csum     # LOC No.
415        *  N13,csum     # PAY TO
416        *  N13,csum     # PROD/SERV LOC
417        *  N13,csum     # PARTY
420           X..20        # SHIP TO POST
422           N3           # ORIGIN
424           N3           # COUNTRY - PROCESS
426           N3           # COUNTRY - FULL PROCESS
7006          N6,yymmdd    # FIRST FREEZE DATE
8005          N6           # PRICE PER UNIT
8020          X..25        # REF No.
8200          X..70        # PRODUCT URL
90            X..30        # INTERNAL
91-99         X..90        # INTERNAL
`;

/** AI + data length by the first two AI digits (GS1 General Specifications, Figure 7.8.4-2).
 * The withdrawn row "23" is left out: today's AI 235 (TPX) is variable length and needs FNC1. */
export const PREDEFINED_LENGTHS: ReadonlyMap<string, number> = new Map([
  ["00", 20],
  ["01", 16],
  ["02", 16],
  ["03", 16],
  ["04", 18],
  ...["11", "12", "13", "14", "15", "16", "17", "18", "19"].map((p): [string, number] => [p, 8]),
  ["20", 4],
  ...["31", "32", "33", "34", "35", "36"].map((p): [string, number] => [p, 10]),
  ["41", 16],
]);

/** The GS1 AI encodable character set 82: every character an `X` field may hold. */
export const CSET82: ReadonlySet<string> = new Set(
  "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz",
);

/** AIs 31nn–36nn and 39nn: the fourth AI digit is the number of implied decimals. */
const DECIMAL_FAMILIES: ReadonlySet<string> = new Set(["31", "32", "33", "34", "35", "36", "39"]);

export type DateRule = "yymmd0" | "yymmdd";

/** One Application Identifier: what its data looks like and whether a separator must follow. */
export interface AiSpec {
  readonly ai: string;
  readonly title: string;
  readonly numeric: boolean;
  readonly minLength: number;
  readonly maxLength: number;
  /** Length predefined by the first two AI digits: no FNC1/GS needed after it. */
  readonly predefined: boolean;
  readonly checkDigit: boolean;
  readonly date: DateRule | null;
  readonly decimals: number | null;
}

export function isFixed(spec: AiSpec): boolean {
  return spec.minLength === spec.maxLength;
}

/** Whether an encoder must put FNC1/GS after this field when another field follows. */
export function fnc1Required(spec: AiSpec): boolean {
  return !spec.predefined;
}

const ROW = /^(\d{2,4})(?:-(\d{2,4}))?\s+(\*?)\s*([NX])(\.\.)?(\d+)((?:,\w+)*)\s+#\s*(.+?)\s*$/;

function expand(first: string, last: string | undefined): string[] {
  if (last === undefined) return [first];
  const out: string[] = [];
  for (let n = Number(first); n <= Number(last); n++) out.push(String(n).padStart(first.length, "0"));
  return out;
}

/** Read the table rows; a malformed row is a programming error and throws at import. */
export function parseDictionary(text: string): ReadonlyMap<string, AiSpec> {
  const table = new Map<string, AiSpec>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const m = ROW.exec(line);
    if (m === null) throw new Error(`bad GS1 dictionary row: ${JSON.stringify(line)}`);
    const [, first = "", last, star, kind, dots, length = "0", linters = "", title = ""] = m;
    const flags = new Set(linters.split(",").slice(1));
    const date: DateRule | null = flags.has("yymmd0") ? "yymmd0" : flags.has("yymmdd") ? "yymmdd" : null;
    for (const ai of expand(first, last)) {
      table.set(ai, {
        ai,
        title,
        numeric: kind === "N",
        minLength: dots ? 1 : Number(length),
        maxLength: Number(length),
        predefined: star === "*",
        checkDigit: flags.has("csum"),
        date,
        decimals: ai.length === 4 && DECIMAL_FAMILIES.has(ai.slice(0, 2)) ? Number(ai[3]) : null,
      });
    }
  }
  return table;
}

export const AI_TABLE: ReadonlyMap<string, AiSpec> = parseDictionary(AI_DICTIONARY);

/** The AI starting at `pos`: GS1 AIs are prefix-free, so at most one of 2, 3, 4 digits fits. */
export function lookupAi(text: string, pos: number): AiSpec | undefined {
  for (const size of [2, 3, 4]) {
    const spec = AI_TABLE.get(text.slice(pos, pos + size));
    if (spec !== undefined) return spec;
  }
  return undefined;
}
