-- SQL twins of the Python encoders, for the compiled query path (hub/compiled/), which builds a
-- whole response in one statement. Each must give exactly what its Python counterpart gives;
-- tests/test_compiled.py compares the two paths' answers. STABLE (not IMMUTABLE) because
-- to_char is, so that PostgreSQL may inline them.

-- datetime.isoformat() of a timestamptz as asyncpg returns it (UTC): microseconds only when
-- there are some, "+00:00" as the offset.
create function hub_iso(ts timestamptz) returns text
    language sql stable parallel safe
    as $$ select to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
                 || case when extract(microseconds from ts)::bigint % 1000000 = 0 then ''
                         else to_char(ts at time zone 'UTC', '.US') end
                 || '+00:00' $$;

-- base64.urlsafe_b64encode(text).rstrip("="): encode() wraps lines at 76 characters.
create function hub_b64url(value text) returns text
    language sql immutable parallel safe
    as $$ select rtrim(translate(encode(convert_to(value, 'UTF8'), 'base64'), E'+/\n', '-_'),
                       '=') $$;

-- hub.relay.encode_id: the opaque global ID of a row.
create function hub_global_id(type_name text, pk bigint) returns text
    language sql immutable parallel safe
    as $$ select hub_b64url(type_name || ':' || pk) $$;
