% rebase('layout')
<h1>Contact details</h1>
% include('_errors', fields=('name', 'phone', 'address'), labels={'name': 'Name', 'phone': 'Phone', 'address': 'Address'})
<form id="profile-form" method="post" action="/account/profile" class="form" novalidate>
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
  <p>E-mail (your log-in): <strong>{{email}}</strong>. To change it, please call the shop.</p>
% include('_field', name='name', label='Name', autocomplete='name', required=True)
% include('_field', name='phone', label='Phone', type='tel', autocomplete='tel', required=True)
% include('_field', name='address', label='Address', type='textarea', autocomplete='street-address', optional=True, rows=3)
  <button type="submit" class="button primary">Save</button>
  <a class="button" href="/account">Cancel</a>
</form>
