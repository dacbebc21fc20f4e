% rebase('layout')
<h1>Log in</h1>
<p id="new-here">New here? <a href="{{with_next('/signup', next)}}">Create an account</a> first: it takes a minute, and then you can book and follow your repairs online.</p>
% include('_errors', fields=('email', 'password'), labels={'email': 'E-mail', 'password': 'Password'})
<form id="login-form" method="post" action="/login" class="form" novalidate>
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
  <input type="hidden" name="next" value="{{next}}">
% include('_field', name='email', label='E-mail', type='email', autocomplete='username', required=True)
% include('_field', name='password', label='Password', type='password', autocomplete='current-password', required=True)
  <button type="submit" class="button primary">Log in</button>
</form>
<p><a href="/forgot">Forgotten your password?</a></p>
