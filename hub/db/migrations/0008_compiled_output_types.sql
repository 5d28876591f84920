-- Stored JSON read as a GraphQL output type, for the compiled query path (hub/compiled/stored.py).
-- The executor reads a record's details as orjson decodes them and graphql-core serializes each
-- value for its field's type: a Float is always a float (146 → 146.0), an Int only a 32-bit
-- integer, a String also a number or a boolean turned into text, a non-null field never null.
-- Each function below gives exactly what that serializer gives, for the values it can be sure
-- of, and refuses every other one: it raises SQLSTATE RH001, and the hub answers the request
-- through the executor, which serializes the value or words the error itself.
-- Null (SQL or JSON) gives SQL null: the caller refuses it for a non-null type.
-- The branches are nested CASEs, never AND, so that no cast runs on a value of another kind.

-- Raises RH001. Immutable (its callers must be, to be inlined) but always called with a stored
-- value, so it never runs at plan time.
create function hub_refuse(graphql_type text, value jsonb) returns json
    language plpgsql immutable parallel safe
    as $$ begin
        raise exception using errcode = 'RH001',
            message = format('a stored value does not fit the GraphQL type %s: %s',
                             graphql_type, left(coalesce(value::text, 'null'), 80));
    end $$;

-- serialize_int: booleans as 1 and 0; integral numbers of 32 bits.
create function hub_gql_int(value jsonb) returns json
    language sql immutable parallel safe
    as $$ select case coalesce(jsonb_typeof(value), 'null')
        when 'null' then null
        when 'boolean' then (case when value = 'true'::jsonb then '1' else '0' end)::json
        when 'number' then (case
            when value::numeric <> trunc(value::numeric) then hub_refuse('Int', value)
            when value::numeric between -2147483648 and 2147483647
                then trunc(value::numeric)::text::json
            else hub_refuse('Int', value) end)
        else hub_refuse('Int', value) end $$;

-- serialize_float: a float, written with a fraction or an exponent (orjson writes 146.0);
-- booleans as 1 and 0. Refused: integers beyond 2^53 (Python checks their precision), numbers
-- a double cannot hold, and any text that would not read back as the same double.
create function hub_gql_float_text(number float8, value jsonb) returns json
    language sql immutable parallel safe
    as $$ select case
        when number::text::float8 <> number then hub_refuse('Float', value)
        when strpos(number::text, '.') > 0 or strpos(number::text, 'e') > 0
            then number::text::json
        else (number::text || '.0')::json end $$;

create function hub_gql_float(value jsonb) returns json
    language sql immutable parallel safe
    as $$ select case coalesce(jsonb_typeof(value), 'null')
        when 'null' then null
        when 'boolean' then (case when value = 'true'::jsonb then '1' else '0' end)::json
        when 'number' then (case
            when abs(value::numeric) > 1e300 then hub_refuse('Float', value)
            when value::numeric <> 0 and abs(value::numeric) < 1e-300
                then hub_refuse('Float', value)
            when scale(value::numeric) = 0 and abs(value::numeric) > 9007199254740992
                then hub_refuse('Float', value)
            else hub_gql_float_text(value::numeric::float8, value) end)
        else hub_refuse('Float', value) end $$;

-- serialize_string: strings; booleans as "true"/"false"; integers as their digits (those orjson
-- reads as Python ints: 64 bits, signed or not). Floats (Python's repr) are left to the executor.
create function hub_gql_string(value jsonb) returns json
    language sql immutable parallel safe
    as $$ select case coalesce(jsonb_typeof(value), 'null')
        when 'null' then null
        when 'string' then value::json
        when 'boolean' then (case when value = 'true'::jsonb then '"true"' else '"false"' end)::json
        when 'number' then (case
            when scale(value::numeric) = 0
                and value::numeric between -9223372036854775808 and 18446744073709551615
                then to_json(value::text)
            else hub_refuse('String', value) end)
        else hub_refuse('String', value) end $$;

-- serialize_boolean: booleans; a number is true unless zero (refused where orjson's double and
-- the decimal might disagree about zero, or the double would not be finite).
create function hub_gql_boolean(value jsonb) returns json
    language sql immutable parallel safe
    as $$ select case coalesce(jsonb_typeof(value), 'null')
        when 'null' then null
        when 'boolean' then value::json
        when 'number' then (case
            when value::numeric = 0 then 'false'::json
            when abs(value::numeric) between 1e-300 and 1e300 then 'true'::json
            else hub_refuse('Boolean', value) end)
        else hub_refuse('Boolean', value) end $$;

-- serialize_id: strings; integers, and integral floats a double holds exactly, as digits.
create function hub_gql_id(value jsonb) returns json
    language sql immutable parallel safe
    as $$ select case coalesce(jsonb_typeof(value), 'null')
        when 'null' then null
        when 'string' then value::json
        when 'number' then (case
            when scale(value::numeric) = 0
                and value::numeric between -9223372036854775808 and 18446744073709551615
                then to_json(value::text)
            when value::numeric <> trunc(value::numeric) then hub_refuse('ID', value)
            when abs(value::numeric) <= 9007199254740992
                then to_json(trunc(value::numeric)::text)
            else hub_refuse('ID', value) end)
        else hub_refuse('ID', value) end $$;
