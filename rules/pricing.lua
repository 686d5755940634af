-- pricing.lua - the default pricing rules of the DXF Quote Appliance.
--
-- A laser job shop's price for one drawing at one quantity (one line of a
-- quotation), before tax:
--
--   material   weight of the sheet the part uses x price per kg x markup
--   cutting    machine minutes x machine rate (cut length / cutting speed
--              + pierces x pierce time + rapid travel to each contour)
--   discount   quantity price breaks, on the cutting
--   deburring  per part, when asked for
--   setup      once per line
--   minimum    the line is never charged less than MINIMUM_PER_LINE
--   rush       everything above x RUSH_FACTOR, shorter lead time
--
-- Every figure a shop would change is a named constant right below.  The
-- contract these rules fulfil (what part and ctx hold, what quote returns)
-- is rules/README.md.  Money is counted in whole minor units (cents) from
-- the start, so the lines always add up to the total exactly.

-------------------------------------------------------------- constants

-- Machine time.  The machine rate per hour is [company]
-- machine_rate_per_hour; cutting speed and pierce time come from the
-- catalog row of the material and thickness.
RAPID_SPEED_MM_MIN     = 30000  -- head travel between contours, mm/min
TRAVEL_PER_PIERCE_MM   = 30     -- average rapid move to reach each contour, mm
MACHINE_HOURS_PER_DAY  = 7      -- for the lead time of long jobs

-- Material.
-- "bbox":  each part's bounding box grown by PART_SPACING_MM (the default);
-- "net":   the net area of the parts x SCRAP_FACTOR;
-- "sheet": whole sheets of the catalog's sheet size, as many as the
--          quantity needs, with the bounding boxes laid out in a grid.
MATERIAL_POLICY        = "bbox"
PART_SPACING_MM        = 10     -- kerf plus the web left between parts, on width and height
SCRAP_FACTOR           = 1.30   -- "net" policy
MATERIAL_MARKUP        = 1.15   -- on the purchase price: handling, storage, offcuts

-- Per line (one drawing at one quantity).
SETUP_PER_LINE         = 25.00  -- programming, loading the sheet, first-part check
MINIMUM_PER_LINE       = 40.00  -- the least a line costs before a rush surcharge
CUSTOMER_MATERIAL_HANDLING = 15.00  -- receiving and checking material the customer sends

-- Quantity price breaks: from this many parts, this discount on the cutting.
QUANTITY_BREAKS = {
  { from = 10,  discount = 0.05 },
  { from = 50,  discount = 0.10 },
  { from = 100, discount = 0.15 },
  { from = 500, discount = 0.20 },
}

-- Options (dxfquote quote --option NAME).
RUSH_FACTOR            = 1.50   -- rush: the whole line x this
RUSH_LEAD_TIME_DAYS    = 2
LEAD_TIME_DAYS         = 5
DEBURR_PER_PART        = 1.50   -- deburr: tumbling or brushing, per part
OPTIONS = {
  rush = "cut ahead of the queue, x" .. RUSH_FACTOR,
  deburr = "deburr every part",
  customer_supplies_material = "the customer sends the sheet: no material charge",
}

-- Drawing problems that stop an automatic price: the part is still priced,
-- with a note, and flagged needs_review.
REVIEW_WARNINGS = {
  open_contour       = "open contour: the part cannot be cut as drawn",
  tiny_hole          = "hole smaller than the material thickness: may not cut cleanly",
  duplicate_geometry = "double lines: they would be cut twice (the cut length counts them)",
  unsupported_entity = "the drawing holds shapes that are not cut (hatch, solid ...)",
  text_not_cut       = "text is not cut: it must be converted to outlines if it should be",
  implausible_size   = "the size looks implausible: check the drawing's units",
  units_assumed      = "the drawing does not say its units: millimetres were assumed",
}
-- Warnings worth a note that do not stop the price.
INFO_WARNINGS = {
  multiple_parts     = "several parts in one drawing: priced together as one set",
}

-------------------------------------------------------------- helpers

-- Whole minor units of an amount: half away from zero, as money.c rounds.
local function minor(x, scale)
  local v = math.floor(math.abs(x) * scale + 0.5 + 1e-6)
  if x < 0 then return -v end
  return v
end

local MONEY_FORMATS = { [0] = "%.0f", "%.1f", "%.2f", "%.3f" }

local function money_text(cents, decimals, scale)
  return string.format(MONEY_FORMATS[decimals] or "%.2f", cents / scale)
end

-- Is a flag option on?  --option rush, or rush=yes/true/1; off with no/false/0.
local function flag(options, name)
  local v = options[name]
  if v == nil or v == true then return v == true end
  if v == "yes" or v == "true" or v == "1" then return true end
  if v == "no" or v == "false" or v == "0" then return false end
  error(string.format("option %s=%s: expected yes or no", name, tostring(v)), 0)
end

local function check_options(options)
  for name in pairs(options) do
    if not OPTIONS[name] then
      local known = {}
      for k in pairs(OPTIONS) do known[#known + 1] = k end
      table.sort(known)
      error(string.format("unknown option '%s'; these rules know: %s", tostring(name),
                          table.concat(known, ", ")), 0)
    end
  end
end

-- The bounding boxes that take material: one per part, or the whole
-- drawing when it has no closed outline.
local function boxes(part)
  if #part.parts > 0 then
    local list = {}
    for i, p in ipairs(part.parts) do list[i] = p.bbox end
    return list
  end
  if part.bbox.width > 0 or part.bbox.height > 0 then return { part.bbox } end
  return {}
end

local function fits(w, h, sheet_w, sheet_h)
  return (w <= sheet_w and h <= sheet_h) or (w <= sheet_h and h <= sheet_w)
end

-- Material area in mm2 for the whole quantity, and how it was reckoned.
local function material_area(part, m, qty)
  local sp = PART_SPACING_MM
  if MATERIAL_POLICY == "net" then
    return part.area_mm2 * SCRAP_FACTOR * qty,
           string.format("net area %.0f mm2 x %.2f scrap", part.area_mm2, SCRAP_FACTOR)
  end
  local per_part = 0
  for _, b in ipairs(boxes(part)) do
    per_part = per_part + (b.width + sp) * (b.height + sp)
  end
  if MATERIAL_POLICY == "sheet" then
    local w, h = part.bbox.width + sp, part.bbox.height + sp
    local across = math.max(math.floor(m.sheet_w_mm / w) * math.floor(m.sheet_h_mm / h),
                            math.floor(m.sheet_w_mm / h) * math.floor(m.sheet_h_mm / w))
    if across >= 1 then
      local sheets = math.ceil(qty / across)
      return sheets * m.sheet_w_mm * m.sheet_h_mm,
             string.format("%d sheet%s of %.0f x %.0f mm, %d parts per sheet", sheets,
                           sheets == 1 and "" or "s", m.sheet_w_mm, m.sheet_h_mm, across)
    end
    -- Bigger than a sheet: flagged below; fall back to the bounding box.
  elseif MATERIAL_POLICY ~= "bbox" then
    error("MATERIAL_POLICY must be \"bbox\", \"net\" or \"sheet\", not " ..
          tostring(MATERIAL_POLICY))
  end
  return per_part * qty,
         string.format("bounding box %.0f x %.0f mm + %g mm spacing", part.bbox.width,
                       part.bbox.height, sp)
end

local function quantity_discount(qty)
  local best
  for _, b in ipairs(QUANTITY_BREAKS) do
    if qty >= b.from then best = b end
  end
  return best
end

-------------------------------------------------------------- the price

function quote(part, ctx)
  local m, qty, shop = ctx.material, ctx.quantity, ctx.shop
  local decimals = shop.decimals
  local scale = 10 ^ decimals
  check_options(ctx.options)
  local rush = flag(ctx.options, "rush")
  local deburr = flag(ctx.options, "deburr")
  local own_material = flag(ctx.options, "customer_supplies_material")

  local lines, notes, review = {}, {}, false
  local function add(label, cents, detail)
    lines[#lines + 1] = { label = label, cents = cents, detail = detail }
  end
  local function sum()
    local s = 0
    for _, l in ipairs(lines) do s = s + l.cents end
    return s
  end

  -- Drawing problems, each code once, in the order they were found.
  local seen = {}
  for _, w in ipairs(part.warnings) do
    if not seen[w.code] then
      seen[w.code] = true
      if REVIEW_WARNINGS[w.code] then
        notes[#notes + 1] = REVIEW_WARNINGS[w.code] .. " (" .. w.message .. ")"
        review = true
      elseif INFO_WARNINGS[w.code] then
        notes[#notes + 1] = INFO_WARNINGS[w.code] .. " (" .. w.message .. ")"
      end
    end
  end
  if part.holes > 0 and part.smallest_hole_mm < m.thickness_mm and not seen.tiny_hole then
    notes[#notes + 1] = string.format("hole of %.2f mm is smaller than the thickness of %g mm, "
                                      .. "needs review", part.smallest_hole_mm, m.thickness_mm)
    review = true
  end
  if part.cut_length_mm <= 0 then
    notes[#notes + 1] = "nothing to cut in this drawing"
    review = true
  end
  local w, h = part.bbox.width, part.bbox.height
  if not fits(w, h, m.sheet_w_mm, m.sheet_h_mm) then
    notes[#notes + 1] = string.format("the part (%.0f x %.0f mm) is bigger than the %.0f x "
                                      .. "%.0f mm sheet", w, h, m.sheet_w_mm, m.sheet_h_mm)
    review = true
  end

  -- Material.
  if own_material then
    add("Material supplied by customer", minor(CUSTOMER_MATERIAL_HANDLING, scale),
        "receiving and checking the customer's " .. m.name)
  else
    local area, how = material_area(part, m, qty)
    local kg = area * 1e-6 * m.thickness_mm * 1e-3 * m.density_kg_m3
    add("Material", minor(kg * m.price_per_kg * MATERIAL_MARKUP, scale),
        string.format("%s %g mm, %.3f kg per part (%s), %s/kg + %g %%", m.name,
                      m.thickness_mm, kg / qty, how,
                      money_text(minor(m.price_per_kg, scale), decimals, scale),
                      (MATERIAL_MARKUP - 1) * 100))
  end

  -- Cutting.
  local cut_min = part.cut_length_mm / m.cutting_speed_mm_min
  local pierce_min = part.pierces * m.pierce_time_s / 60
  local travel_min = part.pierces * TRAVEL_PER_PIERCE_MM / RAPID_SPEED_MM_MIN
  local minutes = cut_min + pierce_min + travel_min
  local cutting = minor(minutes / 60 * shop.machine_rate_per_hour * qty, scale)
  add("Cutting", cutting,
      string.format("%.3f min per part: %.0f mm at %.0f mm/min, %d pierces x %g s, travel; "
                    .. "at %s/h", minutes, part.cut_length_mm, m.cutting_speed_mm_min,
                    part.pierces, m.pierce_time_s,
                    money_text(minor(shop.machine_rate_per_hour, scale), decimals, scale)))

  local brk = quantity_discount(qty)
  if brk then
    add(string.format("Quantity discount %g %%", brk.discount * 100),
        -minor(cutting * brk.discount / scale, scale),
        string.format("from %d parts, on the cutting", brk.from))
  end

  if deburr then
    add("Deburring", minor(DEBURR_PER_PART * qty, scale),
        string.format("%d x %s", qty, money_text(minor(DEBURR_PER_PART, scale), decimals, scale)))
  end

  add("Setup", minor(SETUP_PER_LINE, scale), "programming and machine set-up, once per line")

  local minimum = minor(MINIMUM_PER_LINE, scale)
  if sum() < minimum then
    add("Minimum charge", minimum - sum(),
        "a line is at least " .. money_text(minimum, decimals, scale))
  end

  if rush then
    local before = sum()
    add(string.format("Rush surcharge %g %%", (RUSH_FACTOR - 1) * 100),
        minor(before * (RUSH_FACTOR - 1) / scale, scale), "cut ahead of the queue")
  end

  local total = sum()
  local out = {}
  for i, l in ipairs(lines) do
    out[i] = { label = l.label, amount = l.cents / scale, detail = l.detail }
  end
  local hours = minutes * qty / 60
  return {
    unit_price = minor(total / qty / scale, scale) / scale,
    total = total / scale,
    lines = out,
    notes = notes,
    needs_review = review,
    lead_time_days = (rush and RUSH_LEAD_TIME_DAYS or LEAD_TIME_DAYS)
                     + math.floor(hours / MACHINE_HOURS_PER_DAY),
  }
end
