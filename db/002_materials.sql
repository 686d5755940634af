-- 002_materials.sql - the default materials catalog: six materials a laser
-- job shop stocks, each with density and price, and per thickness the
-- cutting speed, the pierce time and the sheet it is bought in.
--
-- These are typical values for a shop to adjust to its own machine, gas,
-- quality level and supplier, not guarantees.  Sources:
--   * Densities from the material standards and handbooks:
--     S235JR 7850 kg/m3 (EN 10025-2 with EN 1993-1-1 3.2.6);
--     stainless 1.4301/304 7900 kg/m3 (EN 10088-1);
--     EN AW-5052 2680 kg/m3 (EN 573-3, ASM Handbook vol. 2);
--     CuZn37/CW508L 8440 kg/m3 (Deutsches Kupferinstitut data sheet);
--     cast PMMA 1190 kg/m3 (manufacturers' data sheets, ISO 1183);
--     birch plywood 680 kg/m3 (Finnish plywood handbook, WISA/Koskisen).
--   * Prices in EUR per kg: indicative 2025 European distributor prices
--     for sheet in small lots (steel ~1.0-1.2, 304 2B ~4-4.5, 5052 ~5-6,
--     brass ~9-10.5 following copper, cast acrylic ~6-9, birch plywood
--     ~2-2.8 EUR/kg).  Set company.currency to match, or convert.
--   * Cutting speeds for metals: a 6 kW fibre laser, in the ranges of the
--     published cutting charts of laser source and machine makers (IPG,
--     Raycus, Trumpf TruLaser, Bystronic ByStar; e.g. mild steel with
--     oxygen at 6 kW: 4 mm 3.5-5 m/min, 6 mm 2.8-4, 10 mm 2.2-2.7), taken
--     at the lower middle of each range for good edge quality.  Mild steel
--     up to 3 mm with compressed air, from 4 mm with oxygen; stainless,
--     aluminium and brass with nitrogen.  Acrylic and plywood: a 150 W CO2
--     laser, from the material guides of CO2 machine makers.
--   * Pierce times grow with thickness; thick plate assumes a staged
--     (ramped) pierce.  Sheet sizes are the usual mill and stock formats.
-- Within each material the speed falls and the pierce time grows with
-- thickness.

INSERT INTO materials (name, density_kg_m3, price_per_kg, notes) VALUES
    ('Mild steel S235', 7850, 1.10,
     'S235JR (EN 10025-2), hot or cold rolled. Fibre laser: compressed air up to 3 mm, oxygen above.'),
    ('Stainless steel 304', 7900, 4.20,
     '1.4301 / X5CrNi18-10 (EN 10088-2), 2B finish. Fibre laser with nitrogen.'),
    ('Aluminium 5052', 2680, 5.60,
     'EN AW-5052 H32 (EN 485-2). Fibre laser with nitrogen.'),
    ('Brass CuZn37', 8440, 9.50,
     'CuZn37 / CW508L (EN 1652), half hard. Reflective: fibre laser with nitrogen only.'),
    ('Acrylic PMMA', 1190, 7.50,
     'Cast acrylic sheet (flame-polished edge). CO2 laser.'),
    ('Plywood birch', 680, 2.40,
     'Birch plywood BB/BB, exterior glue. CO2 laser; the glue lines slow it down.');

-- (material, thickness mm, speed mm/min, pierce s, sheet w mm, sheet h mm)
WITH t(material, thickness_mm, speed, pierce, w, h) AS (VALUES
    ('Mild steel S235',      1,  30000, 0.1, 2500, 1250),
    ('Mild steel S235',      2,  15000, 0.2, 2500, 1250),
    ('Mild steel S235',      3,   8000, 0.3, 3000, 1500),
    ('Mild steel S235',      4,   4000, 0.5, 3000, 1500),
    ('Mild steel S235',      5,   3600, 0.7, 3000, 1500),
    ('Mild steel S235',      6,   3200, 1.0, 3000, 1500),
    ('Mild steel S235',      8,   2600, 1.5, 3000, 1500),
    ('Mild steel S235',     10,   2200, 2.0, 3000, 1500),
    ('Stainless steel 304',  1,  34000, 0.1, 2500, 1250),
    ('Stainless steel 304',  2,  20000, 0.2, 2500, 1250),
    ('Stainless steel 304',  3,  12000, 0.4, 3000, 1500),
    ('Stainless steel 304',  4,   7500, 0.6, 3000, 1500),
    ('Stainless steel 304',  5,   5000, 0.8, 3000, 1500),
    ('Stainless steel 304',  6,   3800, 1.0, 3000, 1500),
    ('Stainless steel 304',  8,   2200, 1.6, 3000, 1500),
    ('Stainless steel 304', 10,   1300, 2.4, 3000, 1500),
    ('Aluminium 5052',       1,  35000, 0.1, 2500, 1250),
    ('Aluminium 5052',       2,  19000, 0.2, 2500, 1250),
    ('Aluminium 5052',       3,  10500, 0.4, 2500, 1250),
    ('Aluminium 5052',       4,   7000, 0.6, 3000, 1500),
    ('Aluminium 5052',       5,   5000, 0.8, 3000, 1500),
    ('Aluminium 5052',       6,   3600, 1.1, 3000, 1500),
    ('Aluminium 5052',       8,   2000, 1.8, 3000, 1500),
    ('Aluminium 5052',      10,   1100, 2.6, 3000, 1500),
    ('Brass CuZn37',         1,  26000, 0.2, 2000, 1000),
    ('Brass CuZn37',         2,  13000, 0.4, 2000, 1000),
    ('Brass CuZn37',         3,   6500, 0.7, 2000, 1000),
    ('Brass CuZn37',         4,   4200, 1.0, 2000, 1000),
    ('Brass CuZn37',         5,   2700, 1.5, 2000, 1000),
    ('Brass CuZn37',         6,   1900, 2.0, 2000, 1000),
    ('Acrylic PMMA',         3,   1500, 0.3, 3050, 2050),
    ('Acrylic PMMA',         5,    800, 0.6, 3050, 2050),
    ('Acrylic PMMA',         8,    400, 1.2, 3050, 2050),
    ('Acrylic PMMA',        10,    260, 1.8, 3050, 2050),
    ('Plywood birch',        3,   1800, 0.3, 2440, 1220),
    ('Plywood birch',        4,   1400, 0.4, 2440, 1220),
    ('Plywood birch',        6,    900, 0.7, 2440, 1220),
    ('Plywood birch',        9,    450, 1.2, 2440, 1220),
    ('Plywood birch',       12,    250, 2.0, 2440, 1220))
INSERT INTO material_thicknesses
    (material_id, thickness_mm, cutting_speed_mm_min, pierce_time_s, sheet_w_mm, sheet_h_mm)
SELECT m.id, t.thickness_mm, t.speed, t.pierce, t.w, t.h
FROM t JOIN materials m ON m.name = t.material;
