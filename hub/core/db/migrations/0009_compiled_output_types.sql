-- Stored JSON read as a GraphQL output type, for the compiled query path (hub/compiled/stored.py).
-- The executor reads a record's details as orjson decodes them and graphql-core serializes each
-- value for its field's type: a Float is always a float (146 → 146.0), an Int only a 32-bit
-- integer, a String also a number or a boolean turned into text, a non-null field never null.
-- A compiled statement passes a value already in its type's form (what the plugins store) as it
-- is, after a check written into the statement; any other goes through hub_gql_value, which gives
-- what the serializer gives, as JSON of the same meaning, for the values it can be sure of, and
-- refuses every other one: it raises SQLSTATE RH001, and the hub answers the request through the
-- executor, which serializes the value or words the error itself.
-- Both are PL/pgSQL so that PostgreSQL never inlines them into a statement (planning and
-- starting a statement cost what its expressions weigh; these run for unusual values only).

-- Raises RH001.
create function hub_refuse(graphql_type text, value jsonb) returns jsonb
    language plpgsql immutable parallel safe
    as $$ begin
        raise exception using errcode = 'RH001',
            message = format('a stored value does not fit the GraphQL type %s: %s',
                             graphql_type, left(coalesce(value::text, 'null'), 80));
    end $$;

-- What graphql-core's serializer of `graphql_type` (Int, Float, String, Boolean, ID, lists of
-- these, non-null) gives for `value` as orjson reads it, or RH001. Null (SQL or JSON) is null.
create function hub_gql_value(value jsonb, graphql_type text) returns jsonb
    language plpgsql immutable parallel safe
    as $$
declare
    kind constant text := coalesce(jsonb_typeof(value), 'null');
    result jsonb;
begin
    if graphql_type like '%!' then
        result := hub_gql_value(value, left(graphql_type, -1));
        return coalesce(result, hub_refuse(graphql_type, value));
    elsif kind = 'null' then
        return null;
    elsif graphql_type like '[%]' then
        if kind <> 'array' then
            return hub_refuse(graphql_type, value);
        end if;
        select coalesce(jsonb_agg(hub_gql_value(item, substr(graphql_type, 2,
                                                             length(graphql_type) - 2))
                                  order by position), '[]')
            into result from jsonb_array_elements(value) with ordinality as items(item, position);
        return result;
    elsif kind = 'number' then
        return hub_gql_number(value::numeric, value, graphql_type);
    elsif kind = 'boolean' then
        return case graphql_type
            when 'Boolean' then value
            -- serialize_int and serialize_float: 1 and 0 (ints, also for a Float).
            when 'Int' then (case when value = 'true' then '1' else '0' end)::jsonb
            when 'Float' then (case when value = 'true' then '1' else '0' end)::jsonb
            when 'String' then (case when value = 'true' then '"true"' else '"false"' end)::jsonb
            else hub_refuse(graphql_type, value) end;
    elsif kind = 'string' and graphql_type in ('String', 'ID') then
        return value;
    end if;
    -- Strings elsewhere (Python's int() and float() read them their own way), arrays and
    -- objects as scalars: the executor's.
    return hub_refuse(graphql_type, value);
end $$;

-- A JSON number as a scalar type. orjson reads a number with a fraction as a double (which
-- any JSON reader reads from the same digits), an integer of 64 bits (signed or not) as a
-- Python int, a longer one as a double.
create function hub_gql_number(number numeric, value jsonb, graphql_type text) returns jsonb
    language plpgsql immutable parallel safe
    as $$ begin
    if graphql_type = 'Int' then  -- serialize_int: integral, 32 bits (3.0 is 3)
        if number = trunc(number) and number between -2147483648 and 2147483647 then
            return to_jsonb(trunc(number));
        end if;
    elsif graphql_type = 'Float' then  -- serialize_float: always a float
        if length(value::text) > 300 then
            null;  -- perhaps beyond a double's range
        elsif scale(number) > 0 then
            return value;
        elsif abs(number) <= 9007199254740992 then  -- beyond, Python checks the precision
            return (value::text || '.0')::jsonb;
        end if;
    elsif graphql_type = 'String' then  -- serialize_string: an int's digits (a float's repr)
        if scale(number) = 0 and number between -9223372036854775808 and 18446744073709551615 then
            return to_jsonb(value::text);
        end if;
    elsif graphql_type = 'Boolean' then  -- serialize_boolean: true unless zero
        if length(value::text) > 300 then
            null;  -- perhaps an infinite double
        elsif number = 0 then
            return 'false';
        elsif abs(number) >= 1 then  -- a tiny decimal might read as zero
            return 'true';
        end if;
    elsif graphql_type = 'ID' then  -- serialize_id: integral numbers' digits
        if scale(number) = 0 and number between -9223372036854775808 and 18446744073709551615 then
            return to_jsonb(value::text);
        elsif number = trunc(number) and abs(number) <= 9007199254740992 then
            return to_jsonb(trunc(number)::text);
        end if;
    end if;
    return hub_refuse(graphql_type, value);
end $$;
