// Test support (not shipped): GET /api/push/rules as the server answers it on a fresh install —
// every kind of server/notify/rule_kinds.py with its built-in defaults, the JSON schema msgspec
// writes for its parameters and their bilingual help (dumped from `rules.rule_out`), and helpers
// to make the answers for a warehouse, a saved default or an override.

import type { Rule } from "./rules-client";

export const BUILT_IN_RULES: readonly Rule[] = [
  {
    "kind": "urgent_vip",
    "group": "urgent_orders",
    "label_en": "Urgent order: VIP buyer",
    "label_zh": "加急订单：VIP 买家",
    "description_en": "An unshipped order of a buyer tagged VIP.",
    "description_zh": "VIP 买家的订单尚未发货。",
    "warehouse_id": null,
    "source": "built_in",
    "enabled": true,
    "roles": [
      "supervisor",
      "manager"
    ],
    "params": {},
    "urgency": "high",
    "critical": false,
    "params_schema": {
      "$ref": "#/$defs/NoParams",
      "$defs": {
        "NoParams": {
          "title": "NoParams",
          "description": "This rule has nothing to tune.",
          "type": "object",
          "properties": {},
          "required": [],
          "additionalProperties": false
        }
      }
    },
    "params_help": [],
    "built_in": {
      "enabled": true,
      "roles": [
        "supervisor",
        "manager"
      ],
      "params": {},
      "urgency": "high",
      "critical": false
    },
    "overridden_in": [],
    "updated_at": null,
    "updated_by_user_id": null
  },
  {
    "kind": "urgent_ship_by_today",
    "group": "urgent_orders",
    "label_en": "Urgent order: must ship today",
    "label_zh": "加急订单：今日须发货",
    "description_en": "A presale or promised ship-by date that falls today (or has passed) in the warehouse's time zone.",
    "description_zh": "预售或承诺的发货日期为今天（或已过），按仓库时区计算。",
    "warehouse_id": null,
    "source": "built_in",
    "enabled": true,
    "roles": [
      "supervisor",
      "manager"
    ],
    "params": {},
    "urgency": "high",
    "critical": false,
    "params_schema": {
      "$ref": "#/$defs/NoParams",
      "$defs": {
        "NoParams": {
          "title": "NoParams",
          "description": "This rule has nothing to tune.",
          "type": "object",
          "properties": {},
          "required": [],
          "additionalProperties": false
        }
      }
    },
    "params_help": [],
    "built_in": {
      "enabled": true,
      "roles": [
        "supervisor",
        "manager"
      ],
      "params": {},
      "urgency": "high",
      "critical": false
    },
    "overridden_in": [],
    "updated_at": null,
    "updated_by_user_id": null
  },
  {
    "kind": "urgent_cut_off",
    "group": "urgent_orders",
    "label_en": "Carrier pickup soon",
    "label_zh": "快递即将揽收",
    "description_en": "Once per pickup: the carrier's next pickup is near and orders of the warehouse are still unshipped.",
    "description_zh": "每次揽收提醒一次：快递即将揽收，仓库仍有未发货订单。",
    "warehouse_id": null,
    "source": "built_in",
    "enabled": true,
    "roles": [
      "supervisor",
      "manager"
    ],
    "params": {
      "cut_off_minutes": 60,
      "cut_offs": [
        "17:00"
      ]
    },
    "urgency": "high",
    "critical": false,
    "params_schema": {
      "$ref": "#/$defs/CutOffParams",
      "$defs": {
        "CutOffParams": {
          "title": "CutOffParams",
          "type": "object",
          "properties": {
            "cut_off_minutes": {
              "type": "integer",
              "minimum": 1,
              "maximum": 720,
              "default": 60
            },
            "cut_offs": {
              "type": "array",
              "items": {
                "description": "HH:MM, local time",
                "type": "string",
                "pattern": "^([01]\\d|2[0-3]):[0-5]\\d$"
              },
              "maxItems": 12,
              "minItems": 1
            }
          },
          "required": [],
          "additionalProperties": false
        }
      }
    },
    "params_help": [
      {
        "name": "cut_off_minutes",
        "label_en": "Minutes before pickup",
        "label_zh": "揽收前分钟数",
        "help_en": "Notify this many minutes before a pickup.",
        "help_zh": "在揽收前多少分钟提醒。"
      },
      {
        "name": "cut_offs",
        "label_en": "Pickup times",
        "label_zh": "揽收时间",
        "help_en": "The carriers' daily pickup times, HH:MM local time.",
        "help_zh": "快递每日揽收时间（HH:MM，当地时间）。"
      }
    ],
    "built_in": {
      "enabled": true,
      "roles": [
        "supervisor",
        "manager"
      ],
      "params": {
        "cut_off_minutes": 60,
        "cut_offs": [
          "17:00"
        ]
      },
      "urgency": "high",
      "critical": false
    },
    "overridden_in": [],
    "updated_at": null,
    "updated_by_user_id": null
  },
  {
    "kind": "urgent_late_risk",
    "group": "urgent_orders",
    "label_en": "Urgent order: late-shipment risk",
    "label_zh": "加急订单：即将超时发货",
    "description_en": "The platform's late-shipment deadline (paid + 48 h, 24 h in a promotion) is near or has passed.",
    "description_zh": "平台发货时限（付款后 48 小时，大促 24 小时）将到或已过。",
    "warehouse_id": null,
    "source": "built_in",
    "enabled": true,
    "roles": [
      "supervisor",
      "manager"
    ],
    "params": {
      "late_margin_minutes": 240,
      "promotion": false
    },
    "urgency": "high",
    "critical": false,
    "params_schema": {
      "$ref": "#/$defs/LateRiskParams",
      "$defs": {
        "LateRiskParams": {
          "title": "LateRiskParams",
          "type": "object",
          "properties": {
            "late_margin_minutes": {
              "type": "integer",
              "minimum": 0,
              "maximum": 2880,
              "default": 240
            },
            "promotion": {
              "type": "boolean",
              "default": false
            }
          },
          "required": [],
          "additionalProperties": false
        }
      }
    },
    "params_help": [
      {
        "name": "late_margin_minutes",
        "label_en": "Warning margin (minutes)",
        "label_zh": "提前提醒（分钟）",
        "help_en": "Notify when the deadline is less than this far away.",
        "help_zh": "距发货时限少于此分钟数时提醒。"
      },
      {
        "name": "promotion",
        "label_en": "Promotion (24 h rule)",
        "label_zh": "大促（24 小时规则）",
        "help_en": "618, Double 11: platforms shorten the shipping promise to 24 h.",
        "help_zh": "618、双十一等大促期间平台发货时限缩短为 24 小时。"
      }
    ],
    "built_in": {
      "enabled": true,
      "roles": [
        "supervisor",
        "manager"
      ],
      "params": {
        "late_margin_minutes": 240,
        "promotion": false
      },
      "urgency": "high",
      "critical": false
    },
    "overridden_in": [],
    "updated_at": null,
    "updated_by_user_id": null
  },
  {
    "kind": "urgent_stock_out",
    "group": "urgent_orders",
    "label_en": "Urgent order: paid but out of stock",
    "label_zh": "加急订单：已付款但缺货",
    "description_en": "A paid order held because no warehouse can ship it.",
    "description_zh": "已付款订单因没有仓库能发货而被拦截。",
    "warehouse_id": null,
    "source": "built_in",
    "enabled": true,
    "roles": [
      "supervisor",
      "manager"
    ],
    "params": {},
    "urgency": "high",
    "critical": false,
    "params_schema": {
      "$ref": "#/$defs/NoParams",
      "$defs": {
        "NoParams": {
          "title": "NoParams",
          "description": "This rule has nothing to tune.",
          "type": "object",
          "properties": {},
          "required": [],
          "additionalProperties": false
        }
      }
    },
    "params_help": [],
    "built_in": {
      "enabled": true,
      "roles": [
        "supervisor",
        "manager"
      ],
      "params": {},
      "urgency": "high",
      "critical": false
    },
    "overridden_in": [],
    "updated_at": null,
    "updated_by_user_id": null
  },
  {
    "kind": "sync_exception",
    "group": "supervisor",
    "label_en": "Sync exception",
    "label_zh": "同步异常",
    "description_en": "A phone's operation the server rejected, applied with an exception, or held for review.",
    "description_zh": "手机上传的操作被服务器拒绝、带异常执行或暂挂待审。",
    "warehouse_id": null,
    "source": "built_in",
    "enabled": true,
    "roles": [
      "supervisor"
    ],
    "params": {
      "statuses": [
        "rejected",
        "applied_with_exception",
        "held"
      ]
    },
    "urgency": "normal",
    "critical": false,
    "params_schema": {
      "$ref": "#/$defs/SyncExceptionParams",
      "$defs": {
        "SyncExceptionParams": {
          "title": "SyncExceptionParams",
          "type": "object",
          "properties": {
            "statuses": {
              "type": "array",
              "items": {
                "enum": [
                  "applied_with_exception",
                  "held",
                  "rejected"
                ]
              },
              "maxItems": 3,
              "minItems": 1
            }
          },
          "required": [],
          "additionalProperties": false
        }
      }
    },
    "params_help": [
      {
        "name": "statuses",
        "label_en": "Outcomes",
        "label_zh": "结果",
        "help_en": "Which outcomes notify: rejected, applied_with_exception, held.",
        "help_zh": "哪些结果需要提醒：rejected（拒绝）、applied_with_exception（带异常执行）、held（暂挂）。"
      }
    ],
    "built_in": {
      "enabled": true,
      "roles": [
        "supervisor"
      ],
      "params": {
        "statuses": [
          "rejected",
          "applied_with_exception",
          "held"
        ]
      },
      "urgency": "normal",
      "critical": false
    },
    "overridden_in": [],
    "updated_at": null,
    "updated_by_user_id": null
  },
  {
    "kind": "count_variance",
    "group": "supervisor",
    "label_en": "Count awaiting approval",
    "label_zh": "盘点差异待审批",
    "description_en": "A count whose variance is above the warehouse's threshold waits for a supervisor.",
    "description_zh": "盘点差异超过仓库阈值，等待主管审批。",
    "warehouse_id": null,
    "source": "built_in",
    "enabled": true,
    "roles": [
      "supervisor"
    ],
    "params": {},
    "urgency": "normal",
    "critical": false,
    "params_schema": {
      "$ref": "#/$defs/NoParams",
      "$defs": {
        "NoParams": {
          "title": "NoParams",
          "description": "This rule has nothing to tune.",
          "type": "object",
          "properties": {},
          "required": [],
          "additionalProperties": false
        }
      }
    },
    "params_help": [],
    "built_in": {
      "enabled": true,
      "roles": [
        "supervisor"
      ],
      "params": {},
      "urgency": "normal",
      "critical": false
    },
    "overridden_in": [],
    "updated_at": null,
    "updated_by_user_id": null
  },
  {
    "kind": "low_stock",
    "group": "stock",
    "label_en": "Low stock",
    "label_zh": "库存不足",
    "description_en": "A SKU's available stock in a warehouse is below the minimum, or covers fewer days of sales than set.",
    "description_zh": "某仓库 SKU 可用库存低于下限，或可售天数少于设定值。",
    "warehouse_id": null,
    "source": "built_in",
    "enabled": true,
    "roles": [
      "manager"
    ],
    "params": {
      "min_units": 5,
      "days_of_cover": null,
      "lookback_days": 14
    },
    "urgency": "normal",
    "critical": false,
    "params_schema": {
      "$ref": "#/$defs/LowStockParams",
      "$defs": {
        "LowStockParams": {
          "title": "LowStockParams",
          "type": "object",
          "properties": {
            "min_units": {
              "type": "integer",
              "minimum": 0,
              "maximum": 1000000000,
              "default": 5
            },
            "days_of_cover": {
              "anyOf": [
                {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 365
                },
                {
                  "type": "null"
                }
              ],
              "default": null
            },
            "lookback_days": {
              "type": "integer",
              "minimum": 1,
              "maximum": 90,
              "default": 14
            }
          },
          "required": [],
          "additionalProperties": false
        }
      }
    },
    "params_help": [
      {
        "name": "min_units",
        "label_en": "Minimum available",
        "label_zh": "最低可用量",
        "help_en": "Notify when available stock is below this many base units (0: off).",
        "help_zh": "可用库存低于此数量（基本单位）时提醒（0 为关闭）。"
      },
      {
        "name": "days_of_cover",
        "label_en": "Days of cover",
        "label_zh": "可售天数",
        "help_en": "Also notify when available stock lasts fewer days than this at the recent shipping rate (empty: off).",
        "help_zh": "按近期发货速度，可用库存可售天数少于此值时也提醒（留空为关闭）。"
      },
      {
        "name": "lookback_days",
        "label_en": "Sales window (days)",
        "label_zh": "统计天数",
        "help_en": "How many past days of shipments give the shipping rate.",
        "help_zh": "按过去多少天的发货量计算发货速度。"
      }
    ],
    "built_in": {
      "enabled": true,
      "roles": [
        "manager"
      ],
      "params": {
        "min_units": 5,
        "days_of_cover": null,
        "lookback_days": 14
      },
      "urgency": "normal",
      "critical": false
    },
    "overridden_in": [],
    "updated_at": null,
    "updated_by_user_id": null
  },
  {
    "kind": "expiring_lot",
    "group": "stock",
    "label_en": "Lot expiring soon",
    "label_zh": "批次即将过期",
    "description_en": "A lot still in stock expires within the set number of days (or has expired).",
    "description_zh": "仍有库存的批次将在设定天数内过期（或已过期）。",
    "warehouse_id": null,
    "source": "built_in",
    "enabled": true,
    "roles": [
      "manager"
    ],
    "params": {
      "within_days": 30
    },
    "urgency": "low",
    "critical": false,
    "params_schema": {
      "$ref": "#/$defs/ExpiringLotParams",
      "$defs": {
        "ExpiringLotParams": {
          "title": "ExpiringLotParams",
          "type": "object",
          "properties": {
            "within_days": {
              "type": "integer",
              "minimum": 1,
              "maximum": 365,
              "default": 30
            }
          },
          "required": [],
          "additionalProperties": false
        }
      }
    },
    "params_help": [
      {
        "name": "within_days",
        "label_en": "Days before expiry",
        "label_zh": "过期前天数",
        "help_en": "Notify when a lot expires within this many days.",
        "help_zh": "批次在此天数内过期时提醒。"
      }
    ],
    "built_in": {
      "enabled": true,
      "roles": [
        "manager"
      ],
      "params": {
        "within_days": 30
      },
      "urgency": "low",
      "critical": false
    },
    "overridden_in": [],
    "updated_at": null,
    "updated_by_user_id": null
  }
];

export function ruleOf(kind: string, rules: readonly Rule[] = BUILT_IN_RULES): Rule {
  const found = rules.find((r) => r.kind === kind);
  if (found === undefined) throw new Error(`no rule ${kind}`);
  return found;
}

/** The list for a scope, with some rules changed (`source`, `params`, `overridden_in` …). */
export function rulesFor(warehouseId: number | null, changed: Readonly<Record<string, Partial<Rule>>> = {}): Rule[] {
  return BUILT_IN_RULES.map((rule) => ({ ...rule, warehouse_id: warehouseId, ...(changed[rule.kind] ?? {}) }));
}

/** Warehouses as GET /api/warehouses lists them. */
export const WAREHOUSES_PAGE = {
  items: [
    { id: 2, code: "BJ1", name_zh: "北京仓", name_en: "Beijing", active: true },
    { id: 1, code: "SH1", name_zh: "上海仓", name_en: "Shanghai", active: true },
  ],
  total: 2,
  limit: 500,
  offset: 0,
};
