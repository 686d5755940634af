/*
 * cfg_keys.h - every key of appliance.ini, in the order the file lists them.
 *
 * CFG_KEY(id, section, name, type, default, min, max, choices, help)
 * This is an X-macro table: include it with CFG_KEY defined.  Adding a key
 * here adds it to the parser, the environment overrides, help-config and
 * (after `dxfquote help-config > appliance.ini`) the documented file.
 * Units are part of the key's name (_mb, _s, _mm) so a value is never
 * ambiguous.
 */

/* [http] */
CFG_KEY(CFG_HTTP_LISTEN, "http", "listen", CFG_STR, "0.0.0.0:8080", 0, 0, NULL,
        "Address and port the web server listens on, as ADDR:PORT. Use 127.0.0.1:PORT to "
        "accept connections from this machine only. Add an 's' after the port (8443s) to serve "
        "HTTPS with tls_certificate.")
CFG_KEY(CFG_HTTP_THREADS, "http", "threads", CFG_INT, "16", 2, 256, NULL,
        "Request threads. Quoting work runs in the job workers, not here, so a few threads per "
        "concurrent user is plenty.")
CFG_KEY(CFG_HTTP_REQUEST_TIMEOUT_S, "http", "request_timeout_s", CFG_INT, "60", 1, 3600, NULL,
        "Seconds a client may take to send one request (uploads included) before the connection "
        "is closed.")
CFG_KEY(CFG_HTTP_TLS_CERTIFICATE, "http", "tls_certificate", CFG_STR, "", 0, 0, NULL,
        "PEM file holding the server certificate and its private key, for HTTPS. Empty: plain "
        "HTTP (put the appliance behind a TLS proxy, or on a trusted network).")
CFG_KEY(CFG_HTTP_SHUTDOWN_GRACE_S, "http", "shutdown_grace_s", CFG_INT, "10", 0, 600, NULL,
        "On SIGTERM or SIGINT, seconds to let running requests and jobs finish before exiting.")

/* [data] */
CFG_KEY(CFG_DATA_DIR, "data", "dir", CFG_STR, "data", 0, 0, NULL,
        "Folder for the database, uploads and the log file. Relative paths are relative to the "
        "working directory. Created on first start.")
CFG_KEY(CFG_DATA_MIN_FREE_MB, "data", "min_free_mb", CFG_INT, "200", 0, 1000000, NULL,
        "Free disk space in the data folder below which /health answers 503 and uploads are "
        "refused.")
CFG_KEY(CFG_DATA_BUSY_TIMEOUT_MS, "data", "busy_timeout_ms", CFG_INT, "5000", 100, 600000, NULL,
        "How long a database statement waits for a lock held by another thread before it fails.")

/* [limits] */
CFG_KEY(CFG_LIMITS_UPLOAD_MB, "limits", "upload_mb", CFG_INT, "50", 1, 4096, NULL,
        "Largest DXF file accepted, in megabytes, both for uploads and on the command line.")
CFG_KEY(CFG_LIMITS_MAX_ENTITIES, "limits", "max_entities", CFG_INT, "5000000", 1000, 100000000,
        NULL, "Most entities one drawing may hold after blocks are expanded.")
CFG_KEY(CFG_LIMITS_MAX_NESTING, "limits", "max_nesting", CFG_INT, "16", 1, 64, NULL,
        "Deepest nesting of blocks inside blocks (INSERT in INSERT).")
CFG_KEY(CFG_LIMITS_MAX_SPLINE_DEGREE, "limits", "max_spline_degree", CFG_INT, "11", 1, 32, NULL,
        "Highest SPLINE degree accepted.")
CFG_KEY(CFG_LIMITS_MAX_SPLINE_KNOTS, "limits", "max_spline_knots", CFG_INT, "100000", 4,
        10000000, NULL, "Most knots one SPLINE may have.")
CFG_KEY(CFG_LIMITS_MEMORY_MB, "limits", "memory_mb", CFG_INT, "2048", 64, 65536, NULL,
        "Most memory one drawing may use while it is read and measured.")

/* [geometry] */
CFG_KEY(CFG_GEOMETRY_DEFAULT_UNITS, "geometry", "default_units", CFG_ENUM, "mm", 0, 0,
        "mm|cm|m|inch|ft",
        "Units assumed for drawings whose header does not say ($INSUNITS absent or 0). Such "
        "drawings get the warning units_assumed.")
CFG_KEY(CFG_GEOMETRY_JOIN_TOLERANCE_MM, "geometry", "join_tolerance_mm", CFG_REAL, "0.01", 1e-6,
        10, NULL,
        "Curve ends closer than this are joined into one contour. Larger gaps are reported as "
        "open_contour.")
CFG_KEY(CFG_GEOMETRY_CHORD_TOLERANCE_MM, "geometry", "chord_tolerance_mm", CFG_REAL, "0.001",
        1e-6, 1, NULL, "Largest distance between a spline and the chords used to measure it.")

/* [jobs] */
CFG_KEY(CFG_JOBS_WORKERS, "jobs", "workers", CFG_INT, "6", 1, 64, NULL,
        "Drawings measured, priced and rendered at the same time.")
CFG_KEY(CFG_JOBS_QUEUE, "jobs", "queue", CFG_INT, "15", 0, 1000, NULL,
        "Jobs that may wait for a worker. When the queue is full the server answers 503 with "
        "Retry-After instead of slowing everyone down.")
CFG_KEY(CFG_JOBS_DEADLINE_S, "jobs", "deadline_s", CFG_INT, "300", 5, 86400, NULL,
        "A job still running after this many seconds is stopped and fails with a timeout.")

/* [health] */
CFG_KEY(CFG_HEALTH_FAILED_JOBS_RATIO, "health", "failed_jobs_ratio", CFG_REAL, "0.5", 0, 1, NULL,
        "/health reports degraded when more than this share of the jobs that ended in the last "
        "5 minutes failed (a drawing that cannot be read fails its job too).")
CFG_KEY(CFG_HEALTH_ERRORS_RATIO, "health", "errors_ratio", CFG_REAL, "0.05", 0, 1, NULL,
        "/health reports degraded when more than this share of the answers of the last 5 "
        "minutes were server errors (5xx).")
CFG_KEY(CFG_HEALTH_MIN_EVENTS, "health", "min_events", CFG_INT, "10", 1, 100000, NULL,
        "Fewer jobs or answers than this in the last 5 minutes are too few to call the "
        "service degraded.")

/* [backup] */
CFG_KEY(CFG_BACKUP_INTERVAL_H, "backup", "interval_h", CFG_INT, "24", 0, 8760, NULL,
        "Hours between automatic backups into DATA/backups while the server runs (0: none; "
        "make them by hand or with `dxfquote backup`).")
CFG_KEY(CFG_BACKUP_KEEP, "backup", "keep", CFG_INT, "14", 1, 10000, NULL,
        "Backups kept in DATA/backups; after each new one the oldest beyond this number are "
        "deleted.")

/* [company] */
CFG_KEY(CFG_COMPANY_NAME, "company", "name", CFG_STR, "Your Shop Ltd", 0, 0, NULL,
        "Company name printed at the top of every quotation.")
CFG_KEY(CFG_COMPANY_ADDRESS, "company", "address", CFG_STR, "", 0, 0, NULL,
        "Postal address on quotations; use \\n for a new line.")
CFG_KEY(CFG_COMPANY_PHONE, "company", "phone", CFG_STR, "", 0, 0, NULL, "Telephone number.")
CFG_KEY(CFG_COMPANY_EMAIL, "company", "email", CFG_STR, "", 0, 0, NULL, "E-mail address.")
CFG_KEY(CFG_COMPANY_LOGO, "company", "logo", CFG_STR, "", 0, 0, NULL,
        "PNG file printed at the top left of quotations. Empty: no logo.")
CFG_KEY(CFG_COMPANY_TAX_ID, "company", "tax_id", CFG_STR, "", 0, 0, NULL,
        "VAT or tax registration number printed on quotations. Empty: not printed.")
CFG_KEY(CFG_COMPANY_CURRENCY, "company", "currency", CFG_STR, "EUR", 0, 0, NULL,
        "ISO 4217 currency code of all prices.")
CFG_KEY(CFG_COMPANY_TAX_RATE, "company", "tax_rate", CFG_REAL, "0.20", 0, 1, NULL,
        "Sales tax (VAT) added to quotation totals, as a fraction: 0.20 is 20 %.")
CFG_KEY(CFG_COMPANY_MACHINE_RATE_PER_HOUR, "company", "machine_rate_per_hour", CFG_REAL, "120",
        0, 100000, NULL, "Cutting machine rate per hour, passed to the pricing rules.")

/* [pricing] */
CFG_KEY(CFG_PRICING_RULES_FILE, "pricing", "rules_file", CFG_STR, "", 0, 0, NULL,
        "Lua rules file used when the database holds no rules version yet (and by the command "
        "line without a database). Empty: the rules built into the binary.")
CFG_KEY(CFG_PRICING_MAX_INSTRUCTIONS, "pricing", "max_instructions", CFG_INT, "10000000", 10000,
        1000000000, NULL,
        "Lua instructions one pricing call may run before it is stopped as a runaway loop.")
CFG_KEY(CFG_PRICING_MEMORY_MB, "pricing", "memory_mb", CFG_INT, "64", 1, 4096, NULL,
        "Memory one worker's Lua rules may use; past it the call fails with 'not enough memory'.")

/* [render] */
CFG_KEY(CFG_RENDER_THUMBNAIL_WIDTH, "render", "thumbnail_width", CFG_INT, "240", 16, 2048, NULL,
        "Width in pixels of the part previews in lists.")
CFG_KEY(CFG_RENDER_THUMBNAIL_HEIGHT, "render", "thumbnail_height", CFG_INT, "180", 16, 2048,
        NULL, "Height in pixels of the part previews in lists.")
CFG_KEY(CFG_RENDER_DETAIL_WIDTH, "render", "detail_width", CFG_INT, "1200", 64, 8192, NULL,
        "Width in pixels of the detailed part preview.")
CFG_KEY(CFG_RENDER_DETAIL_HEIGHT, "render", "detail_height", CFG_INT, "900", 64, 8192, NULL,
        "Height in pixels of the detailed part preview.")

/* [pdf] */
CFG_KEY(CFG_PDF_PAPER, "pdf", "paper", CFG_ENUM, "A4", 0, 0, "A4|Letter", "Paper size of quotations.")
CFG_KEY(CFG_PDF_MARGIN_MM, "pdf", "margin_mm", CFG_REAL, "15", 5, 50, NULL,
        "Page margin of quotations, in millimetres.")
CFG_KEY(CFG_PDF_VALIDITY_DAYS, "pdf", "validity_days", CFG_INT, "30", 1, 365, NULL,
        "Days a quotation stays valid; printed on it.")
CFG_KEY(CFG_PDF_TERMS, "pdf", "terms", CFG_STR,
        "Prices exclude delivery. Payment 30 days net.", 0, 0, NULL,
        "Terms printed under the totals; use \\n for a new line.")

/* [log] */
CFG_KEY(CFG_LOG_LEVEL, "log", "level", CFG_ENUM, "info", 0, 0, "debug|info|warn|error",
        "Least severe level written.")
CFG_KEY(CFG_LOG_FILE, "log", "file", CFG_STR, "dxfquote.log", 0, 0, NULL,
        "Log file, relative to the data folder. Empty: log to stderr only.")
CFG_KEY(CFG_LOG_MAX_MB, "log", "max_mb", CFG_INT, "10", 1, 10000, NULL,
        "Size at which the log file is rotated.")
CFG_KEY(CFG_LOG_KEEP, "log", "keep", CFG_INT, "5", 1, 100, NULL,
        "Rotated log files kept (dxfquote.log.1 is the newest).")
CFG_KEY(CFG_LOG_ACCESS, "log", "access", CFG_BOOL, "true", 0, 0, NULL,
        "Write one line per HTTP request (method, path, status, bytes, milliseconds, user).")

/* [security] */
CFG_KEY(CFG_SECURITY_SESSION_IDLE_MIN, "security", "session_idle_min", CFG_INT, "30", 1, 1440,
        NULL, "Minutes of inactivity after which a login session ends.")
CFG_KEY(CFG_SECURITY_LOGIN_ATTEMPTS, "security", "login_attempts", CFG_INT, "5", 1, 100, NULL,
        "Failed logins allowed per user and per address within login_window_min before further "
        "attempts are refused.")
CFG_KEY(CFG_SECURITY_LOGIN_WINDOW_MIN, "security", "login_window_min", CFG_INT, "15", 1, 1440,
        NULL, "Window for counting failed logins.")
CFG_KEY(CFG_SECURITY_PASSWORD_COST, "security", "password_cost", CFG_INT, "5", 1, 11, NULL,
        "yescrypt cost of new password hashes (libxcrypt's scale; 5 is its default and takes "
        "about 50 ms and 16 MB per login). Existing hashes keep their cost until the password "
        "changes.")
CFG_KEY(CFG_SECURITY_SECURE_COOKIES, "security", "secure_cookies", CFG_BOOL, "false", 0, 0, NULL,
        "Mark session cookies Secure (send them over HTTPS only). Turn on when the appliance is "
        "reached through HTTPS.")
