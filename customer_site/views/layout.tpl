<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} · {{shop['shop.name']}}</title>
<link rel="stylesheet" href="{{static_url('site.css')}}">
<link rel="icon" href="{{static_url('favicon.svg')}}" type="image/svg+xml">
<script src="{{static_url('site.js')}}" defer></script>
% for script in get('scripts', ()):
<script src="{{static_url(script)}}" defer></script>
% end
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <div class="wrap top-inner">
    <a class="brand" href="/">{{shop['shop.name']}}</a>
    <nav aria-label="Main">
      <ul class="nav">
        <li><a href="/services"{{!' aria-current="page"' if path == '/services' else ''}}>Services</a></li>
        <li><a href="/book" class="nav-book{{' current' if path.startswith('/book') else ''}}">Book a service</a></li>
% if me:
        <li><a href="/appointments"{{!' aria-current="page"' if path == '/appointments' else ''}}>My appointments</a></li>
        <li><a href="/account"{{!' aria-current="page"' if path == '/account' else ''}}>My account</a></li>
        <li>
          <form method="post" action="/logout" class="inline">
            <input type="hidden" name="csrf_token" value="{{csrf()}}">
            <button type="submit" class="link-button">Log out</button>
          </form>
        </li>
% else:
        <li><a href="/login"{{!' aria-current="page"' if path == '/login' else ''}}>Log in</a></li>
        <li><a href="/signup"{{!' aria-current="page"' if path == '/signup' else ''}}>Sign up</a></li>
% end
      </ul>
    </nav>
  </div>
</header>
<main id="main" class="wrap" tabindex="-1">
% if notice:
  <p class="notice" role="status">{{notice}}</p>
% end
{{!base}}
</main>
<footer class="foot">
  <div class="wrap">
    <p><strong>{{shop['shop.name']}}</strong>
% if shop['shop.address']:
    · {{shop['shop.address']}}
% end
% if shop['shop.phone']:
    · <a href="tel:{{shop['shop.phone'].replace(' ', '')}}">{{shop['shop.phone']}}</a>
% end
    </p>
    <p><a href="/about">About us</a> · <a href="/services">Services and prices</a> · <a href="/reviews">Reviews</a></p>
  </div>
</footer>
</body>
</html>
